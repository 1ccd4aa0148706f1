"""Master data: customers, suppliers or allocation codes from another system against AFAS, and the
missing or changed ones sent to AFAS with the configured defaults."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from afas.corrections.from_master import master_corrections
from afas.corrections.plans import Defaults
from afas.corrections.validation import validate
from afas.emulator.demo.master_export import DEMO_CUSTOMERS
from afas.recon.compare import compare_master_data
from afas.recon.limits import upload_help
from afas.recon.masterfile import KINDS, load_master_table, suggest_columns
from afas.recon.readers import LedgerFileError
from afas.recon.schema import RESULT_KINDS
from afas.ui.errors import show_error
from afas.ui.ledger import read_upload
from afas.ui.outbox import approval, outbox_section
from afas.ui.text import plain
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
    st.page_link("views/sync.py", label="Go to Sync", icon=":material/sync:")
    st.stop()

use_demo = conn.demo and kind_id == "customers" and st.toggle("Use the demo customer list", key="md_demo")
upload = (
    None
    if use_demo
    else st.file_uploader(
        "CSV, Excel or Parquet",
        type=["csv", "txt", "xlsx", "xls", "ods", "parquet"],
        key="md_upload",
        help=upload_help(["CSV", "Excel", "Parquet"]) + ".",
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
    table = read_upload(db, data, name)
    with connection(db) as con:
        mfile = load_master_table(con, table)
except LedgerFileError as exc:
    show_error(exc)
    st.stop()
st.caption(f"{plain(name)}: {mfile.rows:,} rows, columns {plain(', '.join(mfile.headers))}")
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
        st.error(plain(exc))

run = s.get("md_run")
if run is None or run[0] != kind_id or run[2] != mfile.table:
    outbox_section(db, conn, "md")
    st.stop()
run_id = run[1]

defaults = Defaults(
    administration=profile.administration,
    journal="",
    contra_account="",
    allocation_axis=axis,
    payment_terms=profile.payment_terms,
)
with connection(db) as con:
    found = master_corrections(
        con,
        run_id,
        afas_table=kind.afas_table,
        key=kind.key,
        name_field=kind.name,
        sales=kind.sales,
        file_table=mfile.table,
        key_column=key_column,
        pairs=pairs,
        defaults=defaults,
    )
items, problems = found.items, found.problems

cols = st.columns(4)
for col, k in zip(cols, RESULT_KINDS, strict=True):
    col.metric(LABELS[k], f"{found.counts.get(k, 0):,}")
if found.differences:
    st.subheader("Fields that differ")
    st.dataframe(
        pd.DataFrame(found.differences).rename(
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
        st.warning(plain(text))
    approval(db, ok, f"Approve **{len(ok)}** master-data changes for AFAS?", "md")

try:
    outbox_section(db, conn, "md")
except Exception as exc:  # noqa: BLE001
    show_error(exc)
