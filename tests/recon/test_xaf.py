"""XAF audit files: a real Exact Online export against the file itself, small synthetic files for every
rule and refusal, opening balances in both comparisons, and the demo's previous-package audit file with
exactly its planted differences found."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from afas.recon.compare import compare_balances
from afas.recon.ledgers import ImportProblems, import_table, preview_table, suggested_mapping
from afas.recon.matching import AfasFilter, MatchConfig, read_results, reconcile
from afas.recon.readers import detect_format, read_ledger_table
from afas.recon.schema import ensure_recon_schema
from afas.recon.staging import stage
from afas.recon.tables import LedgerFileError, TextTable
from afas.recon.xaffile import XAF_HEADERS, is_audit_file, read_xaf, read_xaf_path
from tests.recon.xaf_fixtures import (
    NS30,
    NS31,
    NS32,
    auditfile,
    journal,
    opening_balance,
    transaction,
    trline,
    write_xaf,
)

REALFILES = Path(__file__).resolve().parents[2].parent / "shared" / "realfiles" / "files"
NO_REALFILES = "../shared/realfiles (real bank and ledger exports) is not present beside the project"
EXACT = REALFILES / "xaf_exact_online_2016.xaf"


def column(table: TextTable, header: str) -> list[str | None]:
    return table.arrow().column(f"c{XAF_HEADERS.index(header) + 1}").to_pylist()


def cash_sale(nr: object = "V1", date: str = "2025-03-14", amount: str = "121.00") -> str:
    return transaction(
        nr,
        date,
        int(date[5:7]),
        [
            trline(1, "1000", amount, "D", desc="Contante verkoop", custSupID="10001"),
            trline(2, "8000", amount, "C", desc="Contante verkoop", vatID="1", costID="KP1"),
        ],
        desc="Verkoop",
    )


@pytest.fixture
def con(tmp_path: Path):
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield c
    c.close()


# --- a real export: Exact Online, 2016 -------------------------------------------------------------


@pytest.fixture(scope="module")
def exact() -> bytes:
    if not EXACT.exists():
        pytest.skip(NO_REALFILES)
    return EXACT.read_bytes()


def _exact_by_etree(data: bytes) -> dict:
    """What the file holds, read here with the standard library (the whole tree: it is small)."""
    ns = {"x": "http://www.auditfiles.nl/XAF/3.2"}
    root = ET.fromstring(data)
    lines = root.findall(".//x:transaction/x:trLine", ns)
    sums = {"D": Decimal(0), "C": Decimal(0)}
    for line in lines:
        sums[line.find("x:amntTp", ns).text] += Decimal(line.find("x:amnt", ns).text)
    return {
        "lines": len(lines),
        "debit": sums["D"],
        "credit": sums["C"],
        "dates": {t.find("x:trDt", ns).text for t in root.iterfind(".//x:transaction", ns)},
        "accounts": {line.find("x:accID", ns).text for line in lines},
        "openings": len(root.findall(".//x:openingBalance/x:obLine", ns)),
    }


@pytest.mark.shared
def test_the_exact_online_audit_file_reads_as_the_file_says(exact):
    want = _exact_by_etree(exact)
    assert detect_format(exact, EXACT.name) == "xaf"
    table = read_ledger_table(exact, EXACT.name)
    assert table.file_format == "xaf" and table.num_rows == want["lines"] == 167
    debits = [Decimal(v) for v in column(table, "Debet") if v is not None]
    credits = [Decimal(v) for v in column(table, "Credit") if v is not None]
    assert len(debits) + len(credits) == want["lines"]
    assert sum(debits) == want["debit"] == Decimal("999954.06")  # also the file's own totalDebit
    assert sum(credits) == want["credit"] == Decimal("999954.06")
    assert set(column(table, "Boekdatum")) == want["dates"]
    assert set(column(table, "Grootboekrekening")) == want["accounts"]
    # Transaction 16100002 of the Kasboek (journal 10), its first line (line 1418 of the file).
    rows = table.to_raw()
    row = rows.rows[rows.line_numbers.index(1418)]
    named = dict(zip(XAF_HEADERS, row, strict=True))
    assert named["Boekstuknummer"] == "16100002" and named["Regelnummer"] == "1:1"
    assert named["Dagboek"] == "10" and named["Dagboeknaam"] == "Kasboek"
    assert named["Omschrijving"] == "Partij tweedehands trampolines - contant"
    assert named["Relatie"] == "18" and named["Relatienaam"] == "Rakers Sport B.V."
    assert (named["Grootboekrekening"], named["Debet"], named["Credit"]) == ("1000", None, "15000.00")
    # No opening balance in this file: no row of period 0, and a notice says what that means.
    assert want["openings"] == 0 and "0" not in set(column(table, "Periode"))
    notices = " ".join(table.notices)
    assert "holds no opening balance" in notices
    # Exact books some transactions in a period that does not hold their date (16100002: period 2).
    assert "9 transactions of the file are booked in a period whose dates do not hold" in notices
    assert "transaction 16100002 of journal 10 (line 1413) is in period 2" in notices
    assert "do not balance" not in notices and "linesCount" not in notices  # it balances; totals agree


@pytest.mark.shared
def test_the_exact_online_audit_file_imports_with_the_suggested_mapping(exact, con, tmp_path):
    table = stage(exact, EXACT.name, tmp_path / "staging", isolate=False)
    assert table.path is not None and table.path.exists()  # written by the reader, batch by batch
    mapping = suggested_mapping(table)
    assert (mapping.entry_date, mapping.debit, mapping.credit) == ("Boekdatum", "Debet", "Credit")
    assert (mapping.account, mapping.voucher, mapping.description) == (
        "Grootboekrekening",
        "Boekstuknummer",
        "Omschrijving",
    )
    assert (mapping.relation, mapping.invoice, mapping.allocation) == (
        "Relatie",
        "Factuurnummer",
        "Kostenplaats",
    )
    assert mapping.amount is None and mapping.currency == "Valuta"
    result = import_table(con, table, mapping)
    assert (result.rows, result.skipped) == (167, 0)
    total, debit, line = con.execute(
        "SELECT sum(amount), sum(amount) FILTER (WHERE amount > 0), "
        "any_value(line_no) FILTER (WHERE voucher = '16100002' AND account = '1000') FROM ledger_lines"
    ).fetchone()
    assert total == Decimal("0.00") and debit == Decimal("999954.06") and line == 1418
    amount, relation, date = con.execute(
        "SELECT amount, relation, entry_date FROM ledger_lines WHERE line_no = 1418"
    ).fetchone()
    assert (amount, relation, date) == (Decimal("-15000.00"), "18", dt.date(2016, 3, 3))


# --- synthetic files: the rules ---------------------------------------------------------------------


@pytest.mark.parametrize("namespace", [NS32, NS31, NS30, None], ids=["3.2", "3.1", "3.0", "none"])
def test_every_xaf_3_namespace_and_none_reads_alike(namespace):
    data = auditfile([journal("40", "Kasboek", [cash_sale()])], namespace=namespace)
    assert is_audit_file(data.decode()) and detect_format(data, "kas.xml") == "xaf"
    table = read_ledger_table(data, "kas.xml")
    assert table.to_raw().rows == [
        (
            "40",
            "Kasboek",
            "V1",
            "1",
            "2025-03-14",
            "3",
            "1000",
            "Kas",
            "Contante verkoop",
            "121.00",
            None,
            "10001",
            None,
            None,
            None,
            None,
            None,
            None,
            "EUR",
            None,
        ),
        (
            "40",
            "Kasboek",
            "V1",
            "2",
            "2025-03-14",
            "3",
            "8000",
            "Omzet",
            "Contante verkoop",
            None,
            "121.00",
            None,
            None,
            None,
            None,
            "KP1",
            None,
            "1",
            "EUR",
            None,
        ),
    ]
    assert not [n for n in table.notices if "version" in n]


def test_another_xaf_version_is_read_with_a_notice_and_other_xml_is_refused():
    later = auditfile([journal("40", "Kasboek", [cash_sale()])], namespace="http://www.auditfiles.nl/XAF/4.0")
    assert any("another version than 3.0, 3.1 or 3.2" in n for n in read_xaf(later, "x.xaf").notices)
    foreign = auditfile([journal("40", "Kasboek", [cash_sale()])], namespace="urn:example:books")
    with pytest.raises(LedgerFileError, match="not the XML Auditfile Financieel's"):
        read_xaf(foreign, "x.xaf")
    camt = b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>'
    assert not is_audit_file(camt.decode())
    with pytest.raises(
        LedgerFileError, match=r"is XML but not an XAF audit file \(its root element is 'Document'"
    ):
        read_xaf(camt, "stmt.xml")


def test_debit_is_positive_and_credit_negative_through_the_import(con):
    lines = [
        trline(1, "4500", "100.00", "D"),
        trline(2, "4500", "-20.00", "D"),  # a negative amount keeps its own sign on its side
        trline(3, "1100", "80.00", "C"),
    ]
    data = auditfile([journal("50", "Bank", [transaction("B7", "2025-05-02", 5, lines, desc="Kosten")])])
    table = read_xaf(data, "b.xaf")
    assert not any("balance" in n for n in table.notices if "opening" not in n)
    import_table(con, table, suggested_mapping(table))
    amounts = con.execute("SELECT amount, description FROM ledger_lines ORDER BY line_no").fetchall()
    assert amounts == [
        (Decimal("100.00"), "Kosten"),
        (Decimal("-20.00"), "Kosten"),
        (Decimal("-80.00"), "Kosten"),
    ]


def test_a_transaction_that_does_not_balance_is_imported_with_a_notice(con):
    unbalanced = transaction(
        "V9", "2025-04-01", 4, [trline(1, "1000", "100.00", "D"), trline(2, "8000", "90.00", "C")]
    )
    data = auditfile([journal("40", "Kasboek", [cash_sale(), unbalanced])])
    table = read_xaf(data, "kas.xaf")
    (notice,) = [n for n in table.notices if "do not balance" in n or "does not balance" in n]
    assert notice.startswith("1 transaction of the file does not balance")
    assert "transaction V9 of journal 40 (line " in notice and "debit 100.00, credit 90.00" in notice
    assert import_table(con, table, suggested_mapping(table)).rows == 4
    assert con.execute("SELECT sum(amount) FROM ledger_lines").fetchone()[0] == Decimal("10.00")


def test_the_files_own_totals_are_checked():
    agreeing = auditfile([journal("40", "Kasboek", [cash_sale()])], totals=(2, "121.00", "121.00"))
    assert not any("linesCount" in n for n in read_xaf(agreeing, "a.xaf").notices)
    wrong = auditfile([journal("40", "Kasboek", [cash_sale()])], totals=(3, "121.00", "131.00"))
    (notice,) = [n for n in read_xaf(wrong, "a.xaf").notices if "linesCount" in n]
    assert notice.startswith(
        "The file says its transactions hold 3 lines, credit 131.00 (transactions' linesCount, totalDebit, "
        "totalCredit), but its lines add up to 2 lines, credit 121.00: the file is incomplete"
    )


def test_lines_booked_outside_their_period_and_unreadable_amounts_get_notices(con):
    late = transaction(
        "V2", "2025-04-02", 3, [trline(1, "1000", "5.00", "D"), trline(2, "8000", "5.00", "C")]
    )
    broken = transaction(
        "V3", "2025-05-02", 5, [trline(1, "1000", "5,00", "D"), trline(2, "8000", "5.00", "X")]
    )
    table = read_xaf(auditfile([journal("40", "Kasboek", [late, broken])]), "k.xaf")
    notices = " ".join(table.notices)
    assert "1 transaction of the file is booked in a period whose dates do not hold its date" in notices
    assert (
        "transaction V2 of journal 40 (line " in notices
        and "is in period 3 (2025-03-01 to 2025-03-31)" in notices
    )
    assert "2 lines of the file have no amount (amnt) or no D/C marker (amntTp) that can be read" in notices
    with pytest.raises(ImportProblems, match="2 line"):
        import_table(con, table, suggested_mapping(table))


def test_opening_balance_lines_are_rows_of_period_zero_dated_the_opening_date(con):
    opening = opening_balance(
        "2025-01-01", [("1000", "500.00", "D"), ("1100", "1500.00", "D"), ("0800", "2000.00", "C")]
    )
    data = auditfile([journal("40", "Kasboek", [cash_sale()])], opening=opening)
    table = read_xaf(data, "met-beginbalans.xaf")
    raw = table.to_raw()
    first = dict(zip(XAF_HEADERS, raw.rows[0], strict=True))
    assert (first["Dagboek"], first["Dagboeknaam"], first["Periode"], first["Boekdatum"]) == (
        None,
        "Beginbalans",
        "0",
        "2025-01-01",
    )
    assert (first["Grootboekrekening"], first["Debet"], first["Omschrijving"]) == (
        "1000",
        "500.00",
        "Beginbalans 2025",
    )
    assert first["Boekstuknummer"] is None  # no voucher: line by line they pair by amount and date
    assert raw.line_numbers == sorted(raw.line_numbers) and len(set(raw.line_numbers)) == 5
    assert any("The opening balance of 2025-01-01 (3 lines) is imported" in n for n in table.notices)
    assert not any("does not balance" in n for n in table.notices)
    import_table(con, table, suggested_mapping(table))
    assert con.execute(
        "SELECT sum(amount) FILTER (WHERE account = '0800'), "
        "count(*) FILTER (WHERE entry_date = '2025-01-01') FROM ledger_lines"
    ).fetchone() == (Decimal("-2000.00"), 3)
    skewed = opening_balance("2025-01-01", [("1000", "500.00", "D"), ("0800", "400.00", "C")], totals=False)
    notices = read_xaf(auditfile([journal("40", "Kasboek", [cash_sale()])], opening=skewed), "o.xaf").notices
    assert any("The opening balance does not balance: debit 500.00, credit 400.00" in n for n in notices)
    only = read_xaf(auditfile([], opening=opening), "alleen-beginbalans.xaf")
    assert only.num_rows == 3 and any("but no transactions" in n for n in only.notices)


def test_opening_balances_count_in_january_against_afas_period_zero_and_one(con):
    """AFAS's period 0 (Profit's opening balance) and period 1 against an audit file's opening lines."""
    opening = opening_balance("2025-01-01", [("1100", "1500.00", "D"), ("0800", "1500.00", "C")])
    pay = transaction(
        "B1", "2025-01-20", 1, [trline(1, "4500", "100.00", "D"), trline(2, "1100", "100.00", "C")]
    )
    table = read_xaf(auditfile([journal("50", "Bank", [pay])], opening=opening), "b.xaf")
    import_id = import_table(con, table, suggested_mapping(table)).import_id
    con.execute(
        """CREATE TABLE "Profit_Period_balance" (UnitId BIGINT, Year BIGINT, Period BIGINT, AccountNr VARCHAR,
        AccountDesc VARCHAR, Credit DECIMAL(18, 2), Debit DECIMAL(18, 2), Balance DECIMAL(18, 2),
        Budget DECIMAL(18, 2))"""
    )
    con.execute(
        """INSERT INTO "Profit_Period_balance" VALUES
        (1, 2025, 0, '1100', 'Bank', 0, 1500, 1500, NULL), (1, 2025, 1, '1100', 'Bank', 100, 0, -100, NULL),
        (1, 2025, 0, '0800', 'Eigen vermogen', 1500, 0, -1500, NULL),
        (1, 2025, 1, '4500', 'Kantoorkosten', 0, 100, 100, NULL)"""
    )
    run = compare_balances(con, import_id, unit_id=1, year=2025)
    assert run.counts == {"matched": 3, "only_in_afas": 0, "only_in_ledger": 0, "differing": 0}
    rows = {r["item_key"]: r for r in read_results(con, run.run_id)}
    assert rows["1100 2025/01"]["amount_ledger"] == Decimal("1400.00") == rows["1100 2025/01"]["amount_afas"]


def test_a_damaged_audit_file_is_refused_with_its_line_and_column():
    whole = auditfile([journal("40", "Kasboek", [cash_sale()])])
    cut = whole[: whole.index(b"<trLine>", whole.index(b"<trLine>") + 1) + 20]
    with pytest.raises(LedgerFileError) as info:
        read_xaf(cut, "afgebroken.xaf")
    message = str(info.value)
    assert message.startswith("afgebroken.xaf is not well-formed XML (line ")
    assert "the audit file is damaged or cut off. Export the audit file (XAF)" in message
    broken = whole.replace(b"</trDt>", b"</trDatum>", 1)
    line = broken[: broken.index(b"</trDatum>")].count(b"\n") + 1
    with pytest.raises(LedgerFileError, match=rf"is not well-formed XML \(line {line}, column \d+: "):
        read_xaf(broken, "kapot.xaf")


def test_an_audit_file_without_transactions_is_refused_in_words():
    with pytest.raises(LedgerFileError, match="is an XAF audit file without transactions .no trLine."):
        read_ledger_table(auditfile([]), "leeg.xaf")
    empty_journal = auditfile([journal("40", "Kasboek", [])])
    with pytest.raises(LedgerFileError, match="nothing to compare"):
        read_xaf(empty_journal, "leeg.xaf")


def test_a_dtd_or_entities_are_refused_and_never_expanded():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE auditfile [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    data = auditfile([journal("40", "Kasboek", [cash_sale()])], prolog=laughs).replace(b"Verkoop", b"&c;")
    assert detect_format(data, "boos.xaf") == "xaf"  # recognised, then refused when read
    with pytest.raises(LedgerFileError, match="declares a DTD or XML entities, which audit files never do"):
        read_ledger_table(data, "boos.xaf")
    external = auditfile(
        [journal("40", "Kasboek", [cash_sale()])],
        prolog='<?xml version="1.0"?><!DOCTYPE auditfile SYSTEM "http://example.invalid/xaf.dtd">',
    )
    with pytest.raises(LedgerFileError, match="refused for safety"):
        read_xaf(external, "extern.xaf")


def test_an_xaf_2_audit_file_is_refused_with_what_to_export():
    data = auditfile(
        [journal("40", "Kasboek", [cash_sale()])],
        namespace=None,
        header="<auditfileVersion>CLAIR2.00.00</auditfileVersion>",
    )
    with pytest.raises(
        LedgerFileError, match=r"is an XAF 2 audit file \(CLAIR2.00.00\).*Export the audit file as XAF 3.2"
    ):
        read_xaf(data, "oud.xaf")


def test_rows_go_to_parquet_in_batches_and_a_file_on_one_line_is_numbered_in_order(tmp_path):
    sales = [cash_sale(f"V{i}", amount=f"{i}.00") for i in range(1, 6)]
    data = auditfile([journal("40", "Kasboek", sales)])
    kept = read_xaf(data, "k.xaf")
    into = tmp_path / "k.parquet"
    staged = read_xaf(data, "k.xaf", into=into, batch_rows=3)
    assert staged.path == into and staged.data is None and staged.num_rows == kept.num_rows == 10
    assert pq.ParquetFile(into).metadata.num_row_groups == 4
    assert staged.to_raw() == kept.to_raw()
    assert kept.to_raw().line_numbers == sorted(set(kept.to_raw().line_numbers))
    one_line = data.replace(b"\n", b"")
    for table in (
        read_xaf(one_line, "k.xaf"),
        read_xaf(one_line, "k.xaf", into=tmp_path / "o.parquet", batch_rows=3),
    ):
        assert table.to_raw().line_numbers == list(range(1, 11))
        assert any("numbered 1, 2, 3, ..." in n for n in table.notices)
        assert table.to_raw().rows == kept.to_raw().rows


def test_a_generated_file_streams_from_disk_and_balances(tmp_path, con):
    path = write_xaf(tmp_path / "groot.xaf", 5_000)
    table = read_xaf_path(path, into=tmp_path / "groot.parquet")
    assert table.num_rows == 5_000 and len(table.notices) == 1  # its totals agree, it balances
    assert table.notices[0].startswith("The file holds no opening balance")
    preview = preview_table(None, table, suggested_mapping(table))
    assert preview.summary.rows == 5_000 and preview.summary.total == Decimal("0.00")


# --- the demo's previous package ---------------------------------------------------------------------


def test_the_demo_audit_file_is_a_ledger_source_of_the_demo_only():
    from afas.catalogue import label
    from afas.recon.forms import LedgerSource, ledger_sources

    assert LedgerSource.DEMO_XAF in ledger_sources(demo=True, imported=False)
    assert LedgerSource.DEMO_XAF not in ledger_sources(demo=True, imported=False, demo_xaf=False)
    assert ledger_sources(demo=False, imported=False, demo_xaf=True) == [
        LedgerSource.UPLOAD,
        LedgerSource.DEMO_XAF,
    ]
    assert "XAF" in label(LedgerSource.DEMO_XAF)


def test_the_shipped_demo_audit_file_is_what_the_demo_administration_gives():
    from afas.emulator.core import Emulator
    from afas.emulator.demo.xaf_export import DEMO_XAF, previous_books, render_xaf

    books = previous_books(Emulator(seed=1, transactions=20000))  # the app's default demo environment
    assert DEMO_XAF.read_bytes() == render_xaf(books), "run: python -m afas.emulator.demo.xaf_export"
    planted = books.planted
    assert len(planted.missing) == 2 and len(planted.extra) == 2 and planted.opening and planted.split


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A small demo environment synced into a warehouse, and its previous package's audit file."""
    from afas.emulator.core import Emulator
    from afas.emulator.demo.xaf_export import previous_books, render_xaf
    from afas.warehouse.sync import sync
    from tests.conftest import make_client

    emulator = Emulator(seed=1, transactions=1500)
    folder = tmp_path_factory.mktemp("xaf_demo")
    db = folder / "w.duckdb"
    with make_client(emulator) as client:
        results = sync(db, client, ["Profit_Transactions", "Profit_Period_balance"])
    assert all(r.status == "ok" for r in results), results
    books = previous_books(emulator)
    path = folder / "demo_previous_system.xaf"
    path.write_bytes(render_xaf(books))
    yield emulator, db, books, path
    emulator.store.close()


def _afas_lines(emulator, vouchers) -> list[tuple]:
    """AFAS's lines of these vouchers: (voucher, seq, account, date, signed amount)."""
    return (
        emulator.store.cursor()
        .execute(
            "SELECT voucher_no, seq_no, account_no, entry_date, amt_debit - amt_credit FROM entry_line "
            "WHERE unit = 1 AND list_contains(?, voucher_no) ORDER BY entry_no, seq_no",
            [list(vouchers)],
        )
        .fetchall()
    )


def expected_line_counts(emulator, books) -> dict[str, int]:
    """What matching the demo audit file line by line against AFAS's 2025 finds, from the plants."""
    planted = books.planted
    missing = len(_afas_lines(emulator, planted.missing))
    mistyped = len(_afas_lines(emulator, [v for v, _ in planted.mistyped]))
    extra = sum(len(t.lines) for t in books.transactions if t.voucher in planted.extra)
    opening = len(planted.opening)  # AFAS's line of each changed account, and the file's
    afas_lines = (
        emulator.store.cursor()
        .execute("SELECT count(*) FROM entry_line WHERE unit = 1 AND year = 2025")
        .fetchone()[0]
    )
    only_afas = opening + missing + mistyped
    return {
        "only_in_afas": only_afas,
        "only_in_ledger": opening + extra + mistyped,
        "differing": 0,
        # every other AFAS line is matched; a split line's second part is a row of its group
        "matched": afas_lines - only_afas + len(planted.split),
    }


def expected_balance_differences(emulator, books) -> set[str]:
    """The (account, year/period) balances the plants change, as compare_balances keys them."""
    planted = books.planted
    delta: dict[tuple[str, int, int], Decimal] = defaultdict(Decimal)
    for account, change in planted.opening:
        delta[(account, 2025, 1)] += change
    for _, _, account, date, amount in _afas_lines(emulator, planted.missing):
        delta[(account, date.year, date.month)] -= amount
    for t in books.transactions:
        if t.voucher in planted.extra:
            for line in t.lines:
                delta[(line.account, t.date.year, t.date.month)] += line.amount
    for voucher, more in planted.mistyped:
        for _, _, account, date, amount in _afas_lines(emulator, [voucher]):
            delta[(account, date.year, date.month)] += more if amount > 0 else -more
    for voucher, before, after in planted.moved:
        for _, _, account, _, amount in _afas_lines(emulator, [voucher]):
            delta[(account, before.year, before.month)] -= amount
            delta[(account, after.year, after.month)] += amount
    for voucher, seq, was, now in planted.rebooked:
        for _, line_seq, _, date, amount in _afas_lines(emulator, [voucher]):
            if line_seq == seq:
                delta[(was, date.year, date.month)] -= amount
                delta[(now, date.year, date.month)] += amount
    return {f"{a} {y}/{m:02d}" for (a, y, m), d in delta.items() if d}


def test_the_demo_audit_file_matches_afas_but_for_its_planted_differences(demo):
    emulator, db, books, path = demo
    table = read_ledger_table(path.read_bytes(), path.name)
    assert table.file_format == "xaf"
    assert [n for n in table.notices if "opening balance of 2025-01-01" in n]
    assert not [n for n in table.notices if "balance" in n and "opening balance of" not in n]
    with duckdb.connect(str(db)) as c:
        ensure_recon_schema(c)
        import_id = import_table(c, table, suggested_mapping(table), name="vorig pakket").import_id
        year = AfasFilter(unit_id=1, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31))
        run = reconcile(c, import_id, MatchConfig(afas_filter=year))
        assert run.counts == expected_line_counts(emulator, books)
        assert run.groups_per_pass["one_to_many"] == len(books.planted.split)
        results = read_results(c, run.run_id, limit=100_000)
        opening = [r for r in results if r["date_ledger"] == dt.date(2025, 1, 1)]
        assert {r["kind"] for r in opening if r["account_ledger"] not in dict(books.planted.opening)} == {
            "matched"
        }
        assert {r["pass"] for r in opening if r["kind"] == "matched"} == {
            "amount_date"
        }  # AFAS's opening entry
        balances = compare_balances(c, import_id, unit_id=1, year=2025)
        unmatched = {
            r["item_key"] for r in read_results(c, balances.run_id, limit=100_000) if r["kind"] != "matched"
        }
        assert unmatched == expected_balance_differences(emulator, books)


def test_the_command_line_reconciles_an_audit_file(demo, capsys):
    from afas.cli.main import main
    from tests.test_cli_reconcile import printed_counts

    emulator, db, books, path = demo
    scope = ["--administration", "1", "--from", "2025-01-01", "--to", "2025-12-31"]
    copy = db.with_name("cli.duckdb")
    copy.write_bytes(db.read_bytes())
    assert main(["reconcile", "--db", str(copy), "--ledger", str(path), *scope]) == 0
    printed = capsys.readouterr().out
    assert "The opening balance of 2025-01-01 (8 lines) is imported" in printed  # its notices are shown
    counts = printed_counts(printed)
    expected = expected_line_counts(emulator, books)
    assert (counts["Only in AFAS"], counts["Only in the ledger"], counts["Differing"]) == (
        expected["only_in_afas"],
        expected["only_in_ledger"],
        0,
    )
