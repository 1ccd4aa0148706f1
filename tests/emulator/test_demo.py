"""The demo environment as its users see it: reproducible, balanced books in open or blocked periods,
the master data AFAS's official examples rely on, and a ledger that grows with ``transactions``."""

from __future__ import annotations

import re
from typing import Any

import pytest

from afas.emulator.demo import FIRST_ENTRY_DATE, LAST_ENTRY_DATE, DemoSummary, populate
from afas.emulator.getconnectors import GET_CONNECTORS
from afas.emulator.store import TABLES, Store


@pytest.fixture(scope="module")
def demo() -> tuple[Store, DemoSummary]:
    store = Store()
    return store, populate(store, seed=7, transactions=5000)


@pytest.fixture(scope="module")
def store(demo: tuple[Store, DemoSummary]) -> Store:
    return demo[0]


def rows(store: Store, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    return store.cursor().execute(sql, params or []).fetchall()


def one(store: Store, sql: str, params: list[Any] | None = None) -> Any:
    return rows(store, sql, params)[0][0]


def checksums(store: Store) -> dict[str, str]:
    sql = "SELECT md5(coalesce(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR), '')) FROM {} t"
    return {t: one(store, sql.format(t)) for t in TABLES}


def connector_rows(store: Store, connector_id: str) -> list[tuple[Any, ...]]:
    c = GET_CONNECTORS[connector_id]
    return rows(store, f"SELECT {', '.join(f.sql for f in c.fields)} {c.source}")


# --- reproducibility and size ---------------------------------------------------------------------


def test_same_seed_gives_identical_tables_and_another_seed_does_not() -> None:
    first, second, other = Store(), Store(), Store()
    populate(first, seed=3, transactions=1500)
    populate(second, seed=3, transactions=1500)
    populate(other, seed=4, transactions=1500)
    assert checksums(first) == checksums(second)
    differing = {t for t, value in checksums(other).items() if value != checksums(first)[t]}
    assert {"party", "debtor", "creditor", "entry_line", "entry_alloc"} <= differing


@pytest.mark.parametrize(("transactions", "low", "high"), [(200, 190, 210), (20000, 19000, 21000)])
def test_number_of_lines_follows_transactions(transactions: int, low: int, high: int) -> None:
    store = Store()
    summary = populate(store, seed=1, transactions=transactions)
    assert low <= one(store, "SELECT count(*) FROM entry_line") <= high
    assert summary.lines == one(store, "SELECT count(*) FROM entry_line")
    assert (
        one(
            store,
            "SELECT count(*) FROM (SELECT unit, entry_no FROM entry_line GROUP BY ALL "
            "HAVING sum(amt_debit) <> sum(amt_credit))",
        )
        == 0
    )


def test_summary_reports_what_is_in_the_tables(demo: tuple[Store, DemoSummary]) -> None:
    store, summary = demo
    assert summary.counts == {t: one(store, f"SELECT count(*) FROM {t}") for t in TABLES}
    assert summary.lines == summary.counts["entry_line"]
    assert summary.entries == one(store, "SELECT count(DISTINCT (unit, entry_no)) FROM entry_line")
    assert summary.years == (2025, 2026)
    assert 60 <= summary.counts["debtor"] <= 2000 and 40 <= summary.counts["creditor"] <= 2000


def test_populate_refuses_a_store_that_holds_data(store: Store) -> None:
    with pytest.raises(ValueError, match="empty"):
        populate(store)


# --- the books -------------------------------------------------------------------------------------


def test_every_entry_balances(store: Store) -> None:
    assert (
        rows(
            store,
            "SELECT unit, entry_no FROM entry_line GROUP BY unit, entry_no "
            "HAVING sum(amt_debit) <> sum(amt_credit)",
        )
        == []
    )
    assert (
        one(
            store,
            "SELECT count(*) FROM entry_line WHERE amt_debit < 0 OR amt_credit < 0 "
            "OR (amt_debit = 0) = (amt_credit = 0)",
        )
        == 0
    )


def test_both_administrations_have_entries_mostly_in_the_first(store: Store) -> None:
    per_unit = dict(rows(store, "SELECT unit, count(*) FROM entry_line GROUP BY unit"))
    assert set(per_unit) == {1, 2}
    assert 0.6 <= per_unit[1] / sum(per_unit.values()) <= 0.8


def test_entries_are_numbered_in_date_order(store: Store) -> None:
    assert (
        rows(
            store,
            "SELECT unit FROM entry_line GROUP BY unit "
            "HAVING count(DISTINCT entry_no) <> max(entry_no) OR min(entry_no) <> 1",
        )
        == []
    )
    assert (
        one(
            store,
            """
        SELECT count(*) FROM (
            SELECT entry_date < lag(entry_date) OVER (PARTITION BY unit ORDER BY entry_no, seq_no) AS back
            FROM entry_line) WHERE back""",
        )
        == 0
    )
    assert (
        one(
            store,
            "SELECT count(*) FROM (SELECT unit, entry_no FROM entry_line GROUP BY ALL "
            "HAVING max(seq_no) <> count(*) OR min(seq_no) <> 1)",
        )
        == 0
    )
    # one voucher number per entry, unique within the administration
    assert (
        one(
            store,
            "SELECT count(*) FROM (SELECT unit, voucher_no FROM entry_line "
            "GROUP BY ALL HAVING count(DISTINCT entry_no) > 1)",
        )
        == 0
    )
    assert (
        one(
            store,
            "SELECT count(*) FROM (SELECT unit, entry_no FROM entry_line "
            "GROUP BY ALL HAVING count(DISTINCT voucher_no) <> 1)",
        )
        == 0
    )


def test_lines_lie_in_the_period_of_their_date_on_working_days(store: Store) -> None:
    assert (
        one(
            store,
            """
        SELECT count(*) FROM entry_line l LEFT JOIN period p USING (unit, year, period)
        WHERE p.unit IS NULL OR l.entry_date NOT BETWEEN p.date_from AND p.date_to""",
        )
        == 0
    )
    low, high = rows(store, "SELECT min(entry_date), max(entry_date) FROM entry_line")[0]
    assert low >= FIRST_ENTRY_DATE and high <= LAST_ENTRY_DATE
    assert one(store, "SELECT count(*) FROM entry_line WHERE isodow(entry_date) > 5") == 0


def test_booking_times_follow_the_entry_date(store: Store) -> None:
    assert (
        one(
            store,
            """
        SELECT count(*) FROM entry_line
        WHERE CAST(created AS DATE) <> entry_date OR hour(created) NOT BETWEEN 9 AND 17
           OR modified < created""",
        )
        == 0
    )
    assert (
        rows(
            store,
            """
        SELECT entry_date, max(modified) FROM entry_line GROUP BY ALL
        EXCEPT SELECT entry_date, modified FROM changed_entry_date""",
        )
        == []
    )
    assert one(store, "SELECT count(*) FROM changed_entry_date") == one(
        store, "SELECT count(DISTINCT entry_date) FROM entry_line"
    )


def test_vat_lines_carry_the_vat_of_the_revenue_and_cost_lines(store: Store) -> None:
    # VAT = round(net x rate, 2) on every line that carries a VAT amount
    assert (
        one(
            store,
            """
        SELECT count(*) FROM entry_line l JOIN vat_code v USING (vat_code)
        WHERE l.vat_amt IS NOT NULL
          AND abs(l.vat_amt) <> round(abs(l.amt_debit - l.amt_credit) * v.vat_perc / 100, 2)""",
        )
        == 0
    )
    # and the VAT account lines of an entry add up to those amounts per VAT code
    assert (
        rows(
            store,
            """
        SELECT unit, entry_no, vat_code,
               sum(vat_amt) AS on_lines,
               sum(CASE account_no WHEN '1510' THEN amt_credit - amt_debit
                                   WHEN '1500' THEN amt_debit - amt_credit END) AS on_vat_accounts
        FROM entry_line WHERE vat_code IS NOT NULL AND vat_code NOT IN ('0', '7')
        GROUP BY ALL HAVING on_lines <> on_vat_accounts""",
        )
        == []
    )
    assert one(store, "SELECT count(*) FROM entry_line WHERE vat_amt IS NOT NULL AND vat_code IS NULL") == 0


def test_relation_lines_use_existing_relations_and_their_collective_account(store: Store) -> None:
    for va_as, table, key in ((2, "debtor", "debtor_id"), (3, "creditor", "creditor_id")):
        assert (
            one(
                store,
                f"""
            SELECT count(*) FROM entry_line l LEFT JOIN {table} r ON r.{key} = l.ac_nr
            WHERE l.va_as = {va_as} AND (r.{key} IS NULL OR r.collect_account <> l.account_no)""",
            )
            == 0
        )
        assert one(store, f"SELECT count(*) FROM entry_line WHERE va_as = {va_as}") > 0
    assert one(store, "SELECT count(*) FROM entry_line WHERE va_as = 1 AND ac_nr <> account_no") == 0
    assert (
        one(
            store,
            "SELECT count(*) FROM entry_line l LEFT JOIN account a ON a.account = l.account_no "
            "WHERE a.account IS NULL OR a.blocked",
        )
        == 0
    )


def test_invoices_are_paid_by_reference_and_some_stay_open(store: Store) -> None:
    for connector, va_as in (("Profit_Debtor_Invoices", 2), ("Profit_Creditor_Invoices", 3)):
        open_items = connector_rows(store, connector)
        invoices = one(
            store, "SELECT count(DISTINCT (unit, ac_nr, invoice_id)) FROM entry_line WHERE va_as = ?", [va_as]
        )
        assert open_items, connector
        assert 0.03 <= len(open_items) / invoices <= 0.3, connector
    # payments settle existing invoices of the same relation, and never pay more than was invoiced
    assert (
        one(
            store,
            """
        SELECT count(*) FROM entry_line p
        WHERE p.journal_id IN ('40', '50') AND p.va_as IN (2, 3) AND NOT EXISTS (
            SELECT 1 FROM entry_line i
            WHERE i.unit = p.unit AND i.va_as = p.va_as AND i.ac_nr = p.ac_nr AND i.invoice_id = p.invoice_id
              AND i.journal_id IN ('10', '20') AND i.entry_no < p.entry_no)""",
        )
        == 0
    )
    assert (
        one(
            store,
            """
        SELECT count(*) FROM (
            SELECT unit, ac_nr, invoice_id,
                   sum(CASE WHEN journal_id IN ('10', '20') THEN amt_debit - amt_credit END) AS invoiced,
                   sum(amt_debit - amt_credit) AS balance
            FROM entry_line WHERE va_as IN (2, 3) GROUP BY ALL)
        WHERE sign(balance) = -sign(invoiced) OR abs(balance) > abs(invoiced)""",
        )
        == 0
    )


# --- allocation --------------------------------------------------------------------------------------


def test_lines_on_accounts_requiring_allocation_have_assigned_codes(store: Store) -> None:
    for axis in range(1, 6):
        missing = one(
            store,
            f"""
            SELECT count(*) FROM entry_line l JOIN account a ON a.account = l.account_no
            WHERE a.dim_ax{axis} = 'B' AND NOT EXISTS (
                SELECT 1 FROM entry_alloc d
                JOIN allocation_code c ON c.ax_id = {axis} AND c.code = d.dim{axis} AND NOT c.blocked
                JOIN allocation_assignment s ON s.unit = d.unit AND s.account = l.account_no
                     AND s.ax_id = {axis} AND s.code = d.dim{axis}
                WHERE (d.unit, d.entry_no, d.seq_no) = (l.unit, l.entry_no, l.seq_no))""",
        )
        assert missing == 0, f"axis {axis}"
    assert (
        one(
            store,
            "SELECT count(*) FROM entry_line l JOIN account a ON a.account = l.account_no "
            "WHERE 'B' IN (a.dim_ax1, a.dim_ax2, a.dim_ax3, a.dim_ax4, a.dim_ax5)",
        )
        > 0
    )


def test_allocation_rows_add_up_to_their_line(store: Store) -> None:
    assert (
        one(
            store,
            """
        SELECT count(*) FROM (
            SELECT unit, entry_no, seq_no, sum(amt_debit) AS debit, sum(amt_credit) AS credit
            FROM entry_alloc GROUP BY ALL) d
        LEFT JOIN entry_line l USING (unit, entry_no, seq_no)
        WHERE l.unit IS NULL OR d.debit <> l.amt_debit OR d.credit <> l.amt_credit""",
        )
        == 0
    )
    assert one(store, "SELECT count(*) FROM entry_alloc WHERE alloc_no > 1") > 0


# --- master data ---------------------------------------------------------------------------------------


def test_administrations_journals_and_periods(store: Store) -> None:
    assert rows(store, "SELECT unit, name, code FROM administration ORDER BY unit") == [
        (1, "Demo Groothandel B.V.", "DEMO1"),
        (2, "Demo Diensten B.V.", "DEMO2"),
    ]
    for unit in (1, 2):
        journals = rows(
            store, "SELECT journal_id, journal_type, blocked FROM journal WHERE unit = ? ORDER BY 1", [unit]
        )
        assert journals == [
            ("10", "I", False),
            ("20", "V", False),
            ("40", "K", False),
            ("50", "B", False),
            ("80", "M", False),
            ("82", "M", False),
            ("95", "M", False),
            ("99", "M", True),
        ]
        assert one(store, "SELECT count(*) FROM period WHERE unit = ?", [unit]) == 15 * 12
    assert rows(store, "SELECT min(year), max(year), count(DISTINCT period) FROM period") == [
        (2013, 2027, 12)
    ]
    assert (
        rows(
            store,
            "SELECT description, date_from, date_to, table_desc FROM period "
            "WHERE unit = 1 AND year = 2024 AND period = 2",
        )[0][0]
        == "Februari 2024"
    )
    blocked = {(u, y, p) for u, y, p in rows(store, "SELECT unit, year, period FROM period WHERE blocked")}
    assert blocked == {(1, 2025, p) for p in range(1, 10)} | {(2, 2024, p) for p in range(1, 13)} | {
        (2, 2025, p) for p in range(1, 10)
    }
    assert (
        one(
            store,
            "SELECT count(*) FROM period WHERE unit = 1 AND blocked "
            "AND year IN (2013, 2014, 2018, 2019, 2020, 2023)",
        )
        == 0
    )


def test_chart_of_accounts_has_what_the_official_examples_use(store: Store) -> None:
    accounts = {
        r[0]: r[1:]
        for r in rows(
            store,
            """
        SELECT account, type, collect_account, collect_account_type, to_project,
               dim_ax1, dim_ax2, dim_ax3, dim_ax4, dim_ax5, blocked FROM account""",
        )
    }
    assert 40 <= len(accounts) <= 60
    for code in (
        "0100",
        "0200",
        "1000",
        "1100",
        "1300",
        "1301",
        "1400",
        "1500",
        "1510",
        "1600",
        "1901",
        "3000",
        "3020",
        "3030",
        "3300",
        "4000",
        "4210",
        "4320",
        "4510",
        "8000",
        "8010",
        "8074",
        "8080",
        "8150",
    ):
        assert code in accounts, code
        assert not accounts[code][-1], code
    assert {c: accounts[c][2] for c in ("1300", "1301", "1400", "1600")} == {
        "1300": "D",
        "1301": "D",
        "1400": "D",
        "1600": "C",
    }
    assert accounts["1300"][1] and not accounts["1100"][1]
    assert accounts["4320"][3] == accounts["8080"][3] == "V"
    assert accounts["8000"][4] == "B" and accounts["8074"][4:6] == ("B", "B")
    assert all(d != "B" for d in (*accounts["0100"][4:9], *accounts["0200"][4:9]))
    assert any(a[-1] for a in accounts.values())


def test_vat_codes_currencies_and_payment_conditions(store: Store) -> None:
    assert rows(
        store,
        "SELECT vat_code, account_nr, CAST(vat_perc AS VARCHAR), vat_type, blocked FROM vat_code ORDER BY 1",
    ) == [
        ("0", None, "0.00", "V", False),
        ("1", "1510", "21.00", "V", False),
        ("2", "1510", "9.00", "V", False),
        ("5", "1500", "21.00", "I", False),
        ("6", "1500", "9.00", "I", False),
        ("7", None, "0.00", "I", False),
        ("9", "1510", "19.00", "V", True),
    ]
    currencies = dict(rows(store, "SELECT currency_id, CAST(exchange_rate AS VARCHAR) FROM currency"))
    assert set(currencies) == {"EUR", "GBP", "USD", "NOK", "SEK", "CHF"}
    assert currencies["EUR"] == "1.0000000000"
    conditions = {
        r[0]: r[1:]
        for r in rows(
            store,
            "SELECT code, discount_days, CAST(discount_perc AS VARCHAR), blocked FROM payment_condition",
        )
    }
    assert set(conditions) == {"0", "8", "14", "30", "45", "60"}
    assert conditions["8"] == (8, "2.00", False) and conditions["45"][-1]


def test_allocation_axes_and_codes(store: Store) -> None:
    assert rows(store, "SELECT ax_id, description, active FROM allocation_axis ORDER BY 1") == [
        (1, "Kostenplaats", True),
        (2, "Kostendrager", True),
        (3, "Afdeling", True),
        (4, "Regio", True),
        (5, "Product", True),
    ]
    codes = {(a, c): b for a, c, b in rows(store, "SELECT ax_id, code, blocked FROM allocation_code")}
    for axis, required in (
        (1, ("11", "WEST", "HOOFD", "NOORD", "OOST", "ZUID")),
        (2, ("ICT", "CO", "PZ", "FIN")),
        (3, ("LOG", "ADM")),
        (4, ("NOORD", "ZUID")),
        (5, ("MAAT", "STD")),
    ):
        assert all(codes.get((axis, c)) is False for c in required), axis
    assert codes[(1, "OUD")] is True
    for axis, absent in (
        (1, ("AMSTERDAM", "ROTTERDAM", "DENHAAG", "GRONINGEN", "APELDOORN")),
        (2, ("ONL", "GAR", "SUP", "SAL", "MAR")),
    ):
        assert not any((axis, c) in codes for c in absent), axis
    assigned = set(rows(store, "SELECT DISTINCT unit, account, ax_id FROM allocation_assignment"))
    assert {(u, "8000", 1) for u in (1, 2)} | {(u, "8074", x) for u in (1, 2) for x in (1, 2)} <= assigned


def test_relations_the_official_examples_refer_to_exist(store: Store) -> None:
    debtors = {
        r[0]: r[1:]
        for r in rows(
            store,
            "SELECT d.debtor_id, d.bc_co, p.kind, d.currency_id FROM debtor d JOIN party p USING (bc_co)",
        )
    }
    for debtor in (
        "10004",
        "10044",
        "10060",
        "10079",
        "10100",
        "10114",
        "10140",
        "10150",
        "10178",
        "10205",
        "10208",
        "20000",
        "49999",
        "50001",
        "50009",
    ):
        assert debtor in debtors, debtor
    for debtor, party in (
        ("10205", "1000425"),
        ("10079", "1000203"),
        ("10100", "1000241"),
        ("10140", "1000310"),
        ("10178", "1000372"),
        ("10150", "1000325"),
    ):
        assert debtors[debtor][:2] == (party, "O"), debtor
    assert debtors["50009"][:2] == ("1000798", "P")
    assert debtors["20000"][2] == "GBP"
    creditors = {
        r[0]: r[1:]
        for r in rows(
            store,
            "SELECT c.creditor_id, c.bc_co, p.kind, c.currency_id FROM creditor c JOIN party p USING (bc_co)",
        )
    }
    for creditor in (
        "50000",
        "50003",
        "50005",
        "50011",
        "50013",
        "50017",
        "50028",
        "60002",
        "60005",
        "60014",
        "60021",
        "60024",
    ):
        assert creditor in creditors, creditor
    for creditor, party in (
        ("50003", "1000017"),
        ("50005", "1000021"),
        ("50011", "1000029"),
        ("50017", "1000040"),
        ("50028", "1000726"),
    ):
        assert creditors[creditor][:2] == (party, "O"), creditor
    assert creditors["60002"][2] == "NOK" and creditors["60024"][1] == "P"
    standalone = ["1000002", "1000169", "1000348"]
    assert dict(rows(store, "SELECT bc_co, kind FROM party WHERE list_contains(?, bc_co)", [standalone])) == {
        "1000002": "O",
        "1000169": "P",
        "1000348": "P",
    }
    assert (
        rows(
            store,
            "SELECT bc_co FROM debtor WHERE list_contains(?, bc_co) "
            "UNION ALL SELECT bc_co FROM creditor WHERE list_contains(?, bc_co)",
            [standalone, standalone],
        )
        == []
    )


def test_keys_the_official_examples_create_are_free(store: Store) -> None:
    assert (
        rows(
            store,
            "SELECT debtor_id FROM debtor WHERE debtor_id IN "
            "('125809', '125810', '20010', '20020', '20021', '40409', '40999', '49978')",
        )
        == []
    )
    assert (
        rows(store, "SELECT creditor_id FROM creditor WHERE creditor_id IN ('32301', '32303', '70000')") == []
    )
    assert rows(store, "SELECT bc_co FROM party WHERE bc_co IN ('10001', '32300', '1001492')") == []


def test_counters_continue_above_the_highest_numbers(store: Store) -> None:
    counters = dict(rows(store, "SELECT name, value FROM counter"))
    assert counters["debtor"] == one(store, "SELECT max(CAST(debtor_id AS BIGINT)) FROM debtor") + 1
    assert counters["creditor"] == one(store, "SELECT max(CAST(creditor_id AS BIGINT)) FROM creditor") + 1
    assert counters["party"] == one(store, "SELECT max(CAST(bc_co AS BIGINT)) FROM party") + 1
    for unit in (1, 2):
        last = one(store, "SELECT max(entry_no) FROM entry_line WHERE unit = ?", [unit])
        assert counters[f"entry_no:{unit}"] == last + 1


def _iban_ok(iban: str) -> bool:
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def test_relations_look_real_and_ibans_pass_the_check(store: Store) -> None:
    parties = rows(store, "SELECT bc_co, kind, name, zip, country, iban, coc_nr, email FROM party")
    assert all(re.fullmatch(r"1\d{6}", p[0]) for p in parties)
    ibans = [p[5] for p in parties if p[5]]
    assert len(ibans) >= 0.9 * len(parties)
    assert [i for i in ibans if not _iban_ok(i)] == []
    dutch = [p for p in parties if p[4] == "NL"]
    assert len(dutch) >= 0.8 * len(parties)
    assert all(re.fullmatch(r"\d{4} [A-Z]{2}", p[3]) and (p[5] or "NL").startswith("NL") for p in dutch)
    kvk = [p[6] for p in dutch if p[1] == "O"]
    assert all(re.fullmatch(r"\d{8}", k) for k in kvk if k) and sum(k is None for k in kvk) <= 2
    assert {p[1] for p in parties} == {"O", "P"}
    assert len({p[2] for p in parties}) >= 0.95 * len(parties)
    assert (
        one(
            store,
            "SELECT count(*) FROM debtor WHERE collect_account NOT IN ('1300', '1301', '1400') "
            "OR pay_con NOT IN (SELECT code FROM payment_condition)",
        )
        == 0
    )
    assert one(store, "SELECT count(*) FROM creditor WHERE collect_account <> '1600'") == 0


def test_what_a_store_spills_goes_to_the_system_temp_folder_and_goes_with_the_store() -> None:
    import gc
    import tempfile
    from pathlib import Path

    store = Store()
    spill = Path(store.cursor().execute("SELECT current_setting('temp_directory')").fetchall()[0][0])
    assert spill.parent == Path(tempfile.gettempdir()) and spill.is_dir()
    store.close()
    del store
    gc.collect()
    assert not spill.exists()
