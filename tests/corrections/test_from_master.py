"""A master-data comparison becomes items: new relations or codes, and changes of differing fields."""

from __future__ import annotations

import duckdb

from afas.corrections.from_master import master_corrections
from afas.corrections.plans import Defaults, DimCodeInsertItem, RelationInsertItem, RelationUpdateItem
from afas.recon.compare import compare_master_data

DEFAULTS = Defaults(administration=1, journal="", contra_account="", allocation_axis=2, payment_terms="30")


def test_customers_missing_or_changed_become_inserts_and_updates():
    con = duckdb.connect()
    con.execute(
        'CREATE TABLE "Profit_Debtor" ("DebtorId" VARCHAR, "DebtorName" VARCHAR, "Email" VARCHAR, '
        '"PayCon" VARCHAR, "BcCo" VARCHAR, "ChOfCommNr" VARCHAR)'
    )
    con.execute(
        """INSERT INTO "Profit_Debtor" VALUES ('10001', 'Alfa B.V.', 'info@alfa.nl', '30', '1', '123'),
           ('10002', 'Beta B.V.', 'info@beta.nl', '14', '2', '456')"""
    )
    con.execute("CREATE TABLE f (nr VARCHAR, naam VARCHAR, mail VARCHAR, termijn VARCHAR)")
    con.execute(
        """INSERT INTO f VALUES ('10001', 'Alfa B.V.', 'facturen@alfa.nl', '30'),
           ('10002', 'Beta B.V.', 'info@beta.nl', '14'), ('K-1', 'Jan de Boer', 'jan@example.nl', ''),
           ('K-2', '', 'x@example.nl', '')"""
    )
    pairs = [("DebtorName", "naam"), ("Email", "mail"), ("PayCon", "termijn")]
    report = compare_master_data(con, "Profit_Debtor", "f", pairs, join_columns=[("DebtorId", "nr")])
    found = master_corrections(
        con,
        report.run_id,
        afas_table="Profit_Debtor",
        key="DebtorId",
        name_field="DebtorName",
        sales=True,
        file_table="f",
        key_column="nr",
        pairs=pairs,
        defaults=DEFAULTS,
    )
    assert found.counts == {"matched": 1, "differing": 1, "only_in_ledger": 2}
    assert [(d["item_key"], d["field"], d["value_ledger"]) for d in found.differences] == [
        ("10001", "Email", "facturen@alfa.nl")
    ]
    inserts = [i for _, i in found.items if isinstance(i, RelationInsertItem)]
    updates = [i for _, i in found.items if isinstance(i, RelationUpdateItem)]
    assert [(i.name, i.person, i.email, i.payment_terms) for i in inserts] == [
        ("Jan de Boer", True, "jan@example.nl", "30")  # the default payment terms where the file has none
    ]
    assert [(u.number, u.party_fields) for u in updates] == [("10001", (("EmAd", "facturen@alfa.nl"),))]
    assert found.problems == ["K-2: a relation needs a name"]


def test_allocation_codes_missing_go_on_the_default_axis():
    con = duckdb.connect()
    con.execute('CREATE TABLE codes ("AxisId" BIGINT, "AllocationCode" VARCHAR, "Description" VARCHAR)')
    con.execute("INSERT INTO codes VALUES (2, 'KD01', 'Kostendrager 1')")
    con.execute("CREATE TABLE f (code VARCHAR, oms VARCHAR)")
    con.execute("INSERT INTO f VALUES ('KD01', 'Kostendrager 1'), ('KD02', 'Nieuw project')")
    pairs = [("Description", "oms")]
    report = compare_master_data(con, "codes", "f", pairs, join_columns=[("AllocationCode", "code")])
    found = master_corrections(
        con,
        report.run_id,
        afas_table="codes",
        key="AllocationCode",
        name_field="Description",
        sales=None,
        file_table="f",
        key_column="code",
        pairs=pairs,
        defaults=DEFAULTS,
    )
    assert [(label, type(i)) for label, i in found.items] == [("Nieuw project", DimCodeInsertItem)]
    item = found.items[0][1]
    assert (item.axis, item.code, item.description) == (2, "KD02", "Nieuw project")
