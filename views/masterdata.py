"""Master data: customers, suppliers or allocation codes from another system against AFAS, and the
missing or changed ones sent to AFAS with the configured defaults."""

from __future__ import annotations

from functools import partial

import streamlit as st

from afas.corrections.from_master import master_corrections
from afas.corrections.plans import Defaults
from afas.corrections.validation import validate
from afas.emulator.demo.master_export import DEMO_CUSTOMERS
from afas.i18n import ntr, number, tr
from afas.recon.limits import upload_help
from afas.recon.masterfile import KINDS
from afas.recon.masterform import ColumnForm, MasterReview, compare, is_synced, load_master
from afas.ui.errors import shown_here
from afas.ui.ledger import read_upload
from afas.ui.outbox import approval, outbox_section
from afas.ui.text import plain
from afas.ui.warehouse import require_connection, require_profile, warehouse_path
from afas.warehouse.db import connection
from afas.warehouse.labels import field_labels

st.title(tr("Master data"))
conn = require_connection()
db = warehouse_path(conn)
profile = require_profile(tr("new relations get them"))
s = st.session_state

kind_id = st.radio(
    tr("Compare"), list(KINDS), key="md_kind", horizontal=True, format_func=lambda k: KINDS[k].label
)
kind = KINDS[kind_id]
if not is_synced(db, kind):
    st.info(tr("Sync {table} first: the file is compared with it.").format(table=kind.afas_table))
    st.page_link("views/sync.py", label=tr("Go to Sync"), icon=":material/sync:")
    st.stop()

use_demo = conn.demo and kind_id == "customers" and st.toggle(tr("Use the demo customer list"), key="md_demo")
upload = (
    None
    if use_demo
    else st.file_uploader(
        tr("CSV, Excel or Parquet"),
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

# a file that is no master data (empty, a bank statement, unreadable): said in words, page stops (app.py)
mfile = load_master(db, read_upload(db, data, name))
st.caption(
    ntr("{name}: {n} row, columns {columns}", "{name}: {n} rows, columns {columns}", mfile.rows).format(
        name=plain(name), n=number(mfile.rows), columns=plain(", ".join(mfile.headers))
    )
)
with connection(db) as con:  # AFAS's own names of its fields, as the sync's metainfo gave them
    names = field_labels(con, kind.afas_table, [kind.key, *kind.fields])
form = ColumnForm(kind, tuple(mfile.headers), names)
with st.expander(tr("Which column holds which AFAS field (suggested from the header)"), expanded=False):
    cols = st.columns(3)
    chosen = {
        fld: cols[i % 3].selectbox(
            form.label(fld), form.options, index=form.index(fld), key=f"md_map_{kind_id}_{fld}"
        )
        for i, fld in enumerate(form.fields)
    }
choice = form.choice(chosen)
if choice.key_column is None:
    st.warning(plain(form.key_missing()))
    st.stop()

axis = profile.allocation_axis or 1
if st.button(tr("Compare with AFAS"), key="md_compare", type="primary"):
    with shown_here():  # a column AFAS has not, a table not synced: said in words, the outbox still shows
        s["md_run"] = compare(db, kind_id, mfile, choice, axis)

run = s.get("md_run")
if run is None or not run.shows(kind_id, mfile.table):
    outbox_section(db, conn, "md")
    st.stop()

defaults = Defaults(
    administration=profile.administration,
    journal="",
    contra_account="",
    allocation_axis=axis,
    payment_terms=profile.payment_terms,
)
with connection(db) as con:
    found = master_corrections(con, run.run_id, **run.correction_args(), defaults=defaults)
    review = MasterReview.of(found, kind.key, partial(validate, con), names)

for col, (shown, count) in zip(st.columns(len(review.counts)), review.counts, strict=True):
    col.metric(shown, number(count))
if review.differences:
    st.subheader(tr("Fields that differ"))
    st.dataframe(review.differences, hide_index=True, width="stretch", key="md_diffs", placeholder="")

st.header(tr("Corrections"), divider="gray")
if review.nothing_to_send:
    st.success(tr("Nothing to send: AFAS already holds what the file holds."))
else:
    st.dataframe(review.rows, hide_index=True, width="stretch", key="md_items", placeholder="")
    for text in review.warnings:
        st.warning(plain(text))
    question = ntr(  # English says 'changes' for one too, as it always has; Dutch has both forms
        "Approve **{n}** master-data changes for AFAS?",
        "Approve **{n}** master-data changes for AFAS?",
        len(review.ready),
    ).format(n=number(len(review.ready)))
    approval(db, review.ready, question, "md")

outbox_section(db, conn, "md")
