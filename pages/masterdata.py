"""Master data: customers, suppliers or allocation codes from another system against AFAS, and the
missing or changed ones sent to AFAS with the configured defaults."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from afas.corrections.masterdata import (
    dim_code_for_missing,
    relation_for_missing,
    relation_update_for_difference,
)
from afas.corrections.plans import Defaults
from afas.corrections.validation import validate
from afas.emulator.demo.master_export import DEMO_CUSTOMERS
from afas.recon.compare import compare_master_data, field_differences
from afas.recon.masterfile import KINDS, load_master_file, suggest_columns
from afas.recon.readers import LedgerFileError
from afas.recon.schema import RESULT_KINDS
from afas.ui.errors import show_error
from afas.ui.outbox import approval, outbox_section
from afas.ui.warehouse import require_connection, require_profile, warehouse_path
from afas.warehouse.db import connection
from afas.warehouse.explore import has_table
from afas.warehouse.schema import quote_ident

LABELS = {
    "matched": "Equal",
    "only_in_afas": "Only in AFAS",
    "only_in_ledger": "Only in the file",
    "differing": "Differing",
}
DETAILS = {  # AFAS field -> RelationInsertItem field
    "Email": "email",
    "TelNr": "phone",
    "IBAN": "iban",
    "VatNr": "vat_id",
    "Btw-nummer": "vat_id",
    "ChOfCommNr": "coc_number",
    "PayCon": "payment_terms",
    "PaymentCondition": "payment_terms",
    "CurrencyId": "currency",
}
NONE = "—"
WHAT = {
    "RelationInsertItem": "new relation",
    "RelationUpdateItem": "change of fields",
    "DimCodeInsertItem": "new allocation code",
}

st.title("Master data")
conn = require_connection()
db = warehouse_path(conn)
profile = require_profile("new relations get them")
s = st.session_state

kind_id = st.radio(
    "Compare", list(KINDS), key="md_kind", horizontal=True, format_func=lambda k: KINDS[k].label
)
kind = KINDS[kind_id]
with connection(db) as con:
    synced = has_table(con, kind.afas_table)
if not synced:
    st.info(f"Sync {kind.afas_table} first: the file is compared with it.")
    st.page_link("pages/sync.py", label="Go to Sync", icon=":material/sync:")
    st.stop()

use_demo = conn.demo and kind_id == "customers" and st.toggle("Use the demo customer list", key="md_demo")
upload = (
    None
    if use_demo
    else st.file_uploader(
        "CSV, Excel or Parquet", type=["csv", "txt", "xlsx", "xls", "ods", "parquet"], key="md_upload"
    )
)
if use_demo:
    name, data = DEMO_CUSTOMERS.name, DEMO_CUSTOMERS.read_bytes()
elif upload is not None:
    name, data = upload.name, upload.getvalue()
else:
    outbox_section(db, conn, "md")
    st.stop()

try:
    with connection(db) as con:
        mfile = load_master_file(con, data, name)
except LedgerFileError as exc:
    st.error(str(exc))
    st.stop()
st.caption(f"{name}: {mfile.rows:,} rows, columns {', '.join(mfile.headers)}")
suggested = suggest_columns(kind, mfile.headers)
options = [NONE, *mfile.headers]
with st.expander("Which column holds which AFAS field (suggested from the header)", expanded=False):
    cols = st.columns(3)
    chosen = {}
    for i, fld in enumerate((kind.key, *kind.fields)):
        current = suggested.get(fld)
        chosen[fld] = cols[i % 3].selectbox(
            fld + (" (key)" if fld == kind.key else ""),
            options,
            index=options.index(current) if current in options else 0,
            key=f"md_map_{kind_id}_{fld}",
        )
key_column = chosen[kind.key]
pairs = [(f, c) for f, c in chosen.items() if f != kind.key and c != NONE]
if key_column == NONE:
    st.warning(f"Choose the file column that holds {kind.key}.")
    st.stop()

axis = profile.allocation_axis or 1
if st.button("Compare with AFAS", key="md_compare", type="primary"):
    try:
        with connection(db) as con:
            afas_table = kind.afas_table
            if kind.sales is None:  # allocation codes: those of the default axis only
                afas_table = f"codes_axis_{axis}"
                con.execute(
                    f"CREATE OR REPLACE VIEW {quote_ident(afas_table)} AS "
                    f'SELECT * FROM "Recon_AllocationCodes" WHERE "AxisId" = {int(axis)}'
                )
            report = compare_master_data(
                con, afas_table, mfile.table, pairs, join_columns=[(kind.key, key_column)]
            )
        s["md_run"] = (kind_id, report.run_id, mfile.table)
    except ValueError as exc:
        st.error(str(exc))

run = s.get("md_run")
if run is None or run[0] != kind_id or run[2] != mfile.table:
    outbox_section(db, conn, "md")
    st.stop()
run_id = run[1]

with connection(db) as con:
    counts = dict(
        con.execute(
            "SELECT kind, count(*) FROM recon_results WHERE run_id = ? GROUP BY kind", [run_id]
        ).fetchall()
    )
    diffs = field_differences(con, run_id)
    only_file = [
        r[0]
        for r in con.execute(
            "SELECT item_key FROM recon_results WHERE run_id = ? AND kind = 'only_in_ledger' "
            "ORDER BY item_key",
            [run_id],
        ).fetchall()
    ]
    afas_rows = {}
    differing_keys = sorted({d["item_key"] for d in diffs})
    if differing_keys and kind.sales is not None:
        cur = con.execute(
            f"SELECT * FROM {quote_ident(kind.afas_table)} WHERE CAST({quote_ident(kind.key)} AS VARCHAR) IN "
            f"(SELECT unnest(?::VARCHAR[]))",
            [differing_keys],
        )
        names = [d[0] for d in cur.description]
        afas_rows = {str(r[names.index(kind.key)]): dict(zip(names, r, strict=True)) for r in cur.fetchall()}
    cur = con.execute(
        f"SELECT * FROM {quote_ident(mfile.table)} "
        f"WHERE trim({quote_ident(key_column)}) IN (SELECT unnest(?::VARCHAR[]))",
        [only_file],
    )
    file_names = [d[0] for d in cur.description]
    file_rows = [dict(zip(file_names, r, strict=True)) for r in cur.fetchall()]

cols = st.columns(4)
for col, k in zip(cols, RESULT_KINDS, strict=True):
    col.metric(LABELS[k], f"{counts.get(k, 0):,}")
if diffs:
    st.subheader("Fields that differ")
    st.dataframe(
        pd.DataFrame(diffs).rename(
            columns={
                "item_key": kind.key,
                "field": "Field",
                "value_afas": "In AFAS",
                "value_ledger": "In the file",
            }
        ),
        hide_index=True,
        width="stretch",
        key="md_diffs",
    )

# --- corrections -----------------------------------------------------------------------------------

defaults = Defaults(
    administration=profile.administration,
    journal="",
    contra_account="",
    allocation_axis=axis,
    payment_terms=profile.payment_terms,
)
items: list[tuple[str, object]] = []
problems: list[str] = []
for row in file_rows:
    label = str(row.get(chosen.get(kind.name, NONE)) or row.get(key_column) or "").strip()
    try:
        if kind.sales is None:
            items.append(
                (label, dim_code_for_missing(defaults, code=str(row[key_column]), description=label))
            )
        else:
            details = {}
            for fld, column in pairs:
                value = (row.get(column) or "").strip()
                if fld in DETAILS and value:
                    details[DETAILS[fld]] = value
            items.append((label, relation_for_missing(defaults, sales=kind.sales, name=label, **details)))
    except ValueError as exc:
        problems.append(f"{label or row.get(key_column)}: {exc}")
if kind.sales is not None:
    by_key: dict[str, dict[str, str]] = {}
    for d in diffs:
        by_key.setdefault(d["item_key"], {})[d["field"]] = d["value_ledger"]
    for key, wanted in by_key.items():
        current = afas_rows.get(key)
        if current is None:
            continue
        try:
            update = relation_update_for_difference(sales=kind.sales, current=current, wanted=wanted)
        except ValueError as exc:
            problems.append(f"{key}: {exc}")
            continue
        if update is not None:
            items.append((f"{key} {current.get(kind.name) or ''}".strip(), update))

st.header("Corrections", divider="gray")
if not items and not problems:
    st.success("Nothing to send: AFAS already holds what the file holds.")
else:
    with connection(db) as con:
        checks = validate(con, [item for _, item in items])
    ok = [(label, c.item) for (label, _), c in zip(items, checks, strict=True) if c.ok]
    bad = [
        f"{label}: {'; '.join(c.messages)}" for (label, _), c in zip(items, checks, strict=True) if not c.ok
    ]
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "What": WHAT.get(type(c.item).__name__, type(c.item).__name__),
                    "Relation or code": label,
                    "AFAS would say": "; ".join(c.messages) or "ready",
                }
                for (label, _), c in zip(items, checks, strict=True)
            ]
        ),
        hide_index=True,
        width="stretch",
        key="md_items",
    )
    for text in problems + bad:
        st.warning(text)
    approval(db, ok, f"Approve **{len(ok)}** master-data changes for AFAS?", "md")

try:
    outbox_section(db, conn, "md")
except Exception as exc:  # noqa: BLE001
    show_error(exc)
