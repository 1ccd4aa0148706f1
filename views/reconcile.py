"""Reconcile: import a ledger, map its columns, match it against AFAS, review and export the result."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from decimal import Decimal

import plotly.express as px
import streamlit as st

from afas.catalogue import label
from afas.corrections.folding import with_corrections
from afas.emulator.demo.ledger_export import DEMO_LEDGER, YEAR
from afas.recon.compare import compare_balances
from afas.recon.export import export_csv, export_workbook
from afas.recon.ledgers import (
    import_table,
    list_imports,
    list_profiles,
    load_profile,
    save_profile,
)
from afas.recon.limits import upload_help
from afas.recon.mapping import COLUMN_FIELDS
from afas.recon.matching import (
    AfasFilter,
    MatchConfig,
    default_passes,
    differences_by_account_period,
    reconcile,
    result_counts,
)
from afas.recon.overrides import match_manually, selection_summary, unmatch_group
from afas.recon.passes import DateWindowPass, ExactKeyPass, FuzzyTextPass
from afas.recon.readers import LedgerFileError
from afas.recon.schema import RESULT_KINDS
from afas.recon.views import ledger_summary, results_table
from afas.ui.errors import show_error
from afas.ui.ledger import preview as read_preview
from afas.ui.ledger import read_upload
from afas.ui.text import plain
from afas.ui.warehouse import MONEY, current_profile, require_connection, warehouse_path
from afas.warehouse.db import connection
from afas.warehouse.explore import has_table

FIELD_LABELS = {
    "entry_date": "Date",
    "amount": "Amount (signed)",
    "debit": "Debit",
    "credit": "Credit",
    "sign": "Debit/credit marker",
    "account": "Account",
    "currency": "Currency",
    "description": "Description",
    "voucher": "Voucher (boekstuk)",
    "invoice": "Invoice number",
    "relation": "Relation (debtor/creditor)",
    "allocation": "Cost centre / allocation",
    "counterparty_name": "Counterparty name",
    "counterparty_iban": "Counterparty IBAN",
}
NONE = "—"

st.title("Reconcile with your ledger")
conn = require_connection()
db = warehouse_path(conn)
profile = current_profile()
s = st.session_state
s.setdefault("recon_file", None)  # (file name, bytes)
s.setdefault("recon_import_id", None)
s.setdefault("recon_run_id", None)

with connection(db) as con:
    synced = has_table(con, "Profit_Transactions")
    imports = list_imports(con)
    profiles = list_profiles(con)
if not synced:
    st.info("Sync the journal lines (Profit_Transactions) first: the ledger is matched against them.")
    st.page_link("views/sync.py", label="Go to Sync", icon=":material/sync:")
    st.stop()

# --- 1. the ledger --------------------------------------------------------------------------------

st.header("1. Ledger", divider="gray")
sources = (
    ["upload"] + (["demo"] if conn.demo and DEMO_LEDGER.exists() else []) + (["earlier"] if imports else [])
)
source = st.radio(
    "Ledger",
    sources,
    key="recon_source",
    horizontal=True,
    label_visibility="collapsed",
    format_func={
        "upload": "Upload a file",
        "demo": "Use the demo ledger",
        "earlier": "A ledger imported before",
    }.get,
)

if source == "earlier":
    chosen = st.selectbox(
        "Imported ledgers",
        imports,
        key="recon_earlier",
        format_func=lambda i: (
            f"#{i.import_id} {i.name} — {i.file_name}, {i.rows:,} lines, {i.imported:%d-%m-%Y %H:%M}"
        ),
    )
    if chosen is not None and s["recon_import_id"] != chosen.import_id:
        s["recon_import_id"], s["recon_run_id"] = chosen.import_id, None
else:
    if source == "demo":
        st.caption(
            f"The demo bank account's {YEAR} ledger card as another package exports it (Dutch CSV), "
            "with a few differences planted for you to find."
        )
        s["recon_file"] = (DEMO_LEDGER.name, DEMO_LEDGER.read_bytes())
    else:
        upload = st.file_uploader(
            "CSV, Excel, Parquet, MT940 or CAMT.053",
            type=["csv", "txt", "xlsx", "xls", "ods", "parquet", "sta", "mt940", "940", "xml"],
            key="recon_upload",
            help=upload_help() + ".",
        )
        s["recon_file"] = (upload.name, upload.getvalue()) if upload is not None else None

    if s["recon_file"] is not None:
        name, data = s["recon_file"]
        try:
            with connection(db) as con:
                chosen_profile = st.selectbox(
                    "Column mapping",
                    [NONE, *profiles],
                    key="recon_profile",
                    help="Saved mappings are reused.",
                )
                base = load_profile(con, chosen_profile) if chosen_profile != NONE else None
            table = read_upload(db, data, name)
            preview = read_preview(db, table, base)
        except LedgerFileError as exc:
            show_error(exc)
            st.stop()
        mapping = preview.mapping
        detail = ", ".join(
            x
            for x in (
                table.file_format.upper(),
                table.encoding and f"encoding {table.encoding}",
                table.delimiter and f"delimiter '{table.delimiter}'",
            )
            if x
        )
        st.caption(f"{plain(name)}: {table.num_rows:,} lines ({detail})")
        with st.expander("Column mapping (suggested from the header)", expanded=bool(preview.problems)):
            options = [NONE, *table.headers]
            cols = st.columns(3)
            chosen_fields = {}
            for i, fld in enumerate(COLUMN_FIELDS):
                current = getattr(mapping, fld)
                chosen_fields[fld] = cols[i % 3].selectbox(
                    FIELD_LABELS.get(fld, fld),
                    options,
                    index=options.index(current) if current in options else 0,
                    key=f"recon_map_{fld}",
                )
            flip = st.checkbox(
                "Flip the sign (credit positive in this file)", value=mapping.flip_sign, key="recon_flip"
            )
            edited = dataclasses.replace(
                mapping, **{f: (None if v == NONE else v) for f, v in chosen_fields.items()}, flip_sign=flip
            )
            c1, c2 = st.columns([3, 1])
            profile_name = c1.text_input(
                "Save this mapping as", key="recon_profile_name", placeholder="e.g. Exact export"
            )
            if c2.button("Save mapping", key="recon_save_profile", disabled=not profile_name.strip()):
                with connection(db) as con:
                    save_profile(con, profile_name.strip(), edited)
                st.success(f"Mapping saved as '{plain(profile_name.strip())}'.")
        if edited != mapping:
            try:
                preview = read_preview(db, table, edited)
            except LedgerFileError as exc:
                show_error(exc)
                st.stop()
        found = preview.summary
        st.write(
            f"**{found.rows:,}** lines readable, total € {found.total:,.2f}"
            + (f"; **{found.problem_lines:,}** cannot be read" if found.problem_count else "")
        )
        if found.problems:
            st.dataframe(
                [
                    {"Line": p.line_no, "Column": p.column, "Value": p.value, "Why": p.reason}
                    for p in found.problems[:200]
                ],
                hide_index=True,
                key="recon_problems",
            )
        d = preview.duplicate_of
        if d is not None and s.get("recon_import_id") == d.import_id:
            st.success(f"This file is ledger #{d.import_id} '{plain(d.name)}': match it below.")
            go = False
        else:
            if d is not None:
                st.warning(
                    f"This exact file was imported before as #{d.import_id} '{plain(d.name)}' "
                    f"on {d.imported:%d-%m-%Y %H:%M}; pick it under 'A ledger imported before', "
                    "or import it again."
                )
            with st.form("recon_import_form"):
                label = st.text_input("Name", value=name.rsplit(".", 1)[0], key="recon_import_name")
                accept = again = False
                if found.problem_count:
                    accept = st.checkbox(
                        f"Import without the {found.problem_lines:,} unreadable lines", key="recon_accept"
                    )
                if d is not None:
                    again = st.checkbox("Import again although it was imported before", key="recon_again")
                go = st.form_submit_button("Import ledger", type="primary")
        if go:
            try:
                with connection(db) as con, st.spinner("Importing…"):
                    result = import_table(
                        con,
                        table,
                        edited,
                        file_name=name,
                        name=label,
                        accept_problems=accept,
                        allow_duplicate=again,
                        profile=chosen_profile if chosen_profile != NONE else None,
                    )
            except Exception as exc:  # noqa: BLE001 - an AppError in words, anything else as a bug
                show_error(exc)
            else:
                s["recon_import_id"], s["recon_run_id"] = result.import_id, None
                st.success(
                    f"Imported {result.rows:,} lines as #{result.import_id}"
                    + (f" ({result.skipped:,} skipped)" if result.skipped else "")
                    + "."
                )

import_id = s["recon_import_id"]
if import_id is None:
    st.stop()

# --- 2. matching ----------------------------------------------------------------------------------

st.header("2. Match", divider="gray")
with connection(db) as con:
    summary = ledger_summary(con, import_id)
st.caption(
    f"Ledger #{import_id}: {summary.rows:,} lines, € {summary.total:,.2f}, "
    f"{summary.date_from or '?'} to {summary.date_to or '?'}"
)
with st.form("recon_match_form"):
    mode = st.radio(
        "Compare",
        ["lines", "balances"],
        key="recon_mode",
        horizontal=True,
        format_func={
            "lines": "line by line",
            "balances": "balances per account and period (a trial balance against AFAS's)",
        }.get,
    )
    c1, c2 = st.columns(2)
    accounts = c1.multiselect(
        "AFAS accounts to compare",
        summary.accounts,
        default=summary.accounts[:1],
        key="recon_accounts",
        help="Only AFAS lines on these accounts take part (empty: all accounts).",
    )
    today = dt.date.today()
    period = c2.date_input(
        "Dates",
        value=(summary.date_from or today.replace(month=1, day=1), summary.date_to or today),
        key="recon_dates",
    )
    c1, c2, c3, c4 = st.columns(4)
    tolerance = c1.number_input(
        "Amount tolerance (€)", 0.0, 1000.0, 0.0, 0.01, key="recon_tol", format="%.2f"
    )
    days = c2.number_input("Date window (days)", 0, 60, 3, key="recon_days")
    threshold = c3.slider("Text similarity (%)", 50, 100, 85, key="recon_similarity")
    policy = c4.selectbox(
        "When several candidates fit",
        ["unique", "oldest", "newest"],
        key="recon_policy",
        format_func={
            "unique": "match only a unique one",
            "oldest": "take the oldest",
            "newest": "take the newest",
        }.get,
    )
    passes = default_passes()
    names = [getattr(p, "pass_name", p.name) for p in passes]
    enabled = st.multiselect("Passes, in order", names, default=names, key="recon_passes")
    run = st.form_submit_button("Run matching", type="primary")

if run:
    tol = Decimal(str(tolerance)).quantize(Decimal("0.01"))
    chosen_passes = []
    for p, n in zip(passes, names, strict=True):
        if isinstance(p, ExactKeyPass):
            p = dataclasses.replace(p, abs_tol=tol)
        elif isinstance(p, DateWindowPass):
            p = dataclasses.replace(p, days=int(days))
        elif isinstance(p, FuzzyTextPass):
            p = dataclasses.replace(p, threshold=threshold / 100)
        chosen_passes.append(dataclasses.replace(p, enabled=n in enabled))
    start, end = (period + (None,))[:2] if isinstance(period, tuple) else (period, None)
    s["recon_config"] = MatchConfig(
        passes=tuple(chosen_passes),
        ambiguity=policy,
        afas_filter=AfasFilter(
            unit_id=profile.administration if profile else None,
            accounts=tuple(accounts) or None,
            date_from=start,
            date_to=end,
        ),
    )


def _run_again() -> None:
    with connection(db) as con:
        # corrections this tool posted are folded into the lines they correct (see with_corrections)
        config = dataclasses.replace(s["recon_config"], afas_table=with_corrections(con))
        s["recon_run_id"] = reconcile(con, import_id, config).run_id


if run:
    try:
        if mode == "balances":
            with connection(db) as con:
                source = "period_balance" if has_table(con, "Profit_Period_balance") else "transactions"
                s["recon_run_id"] = compare_balances(
                    con,
                    import_id,
                    source=source,
                    unit_id=profile.administration if profile else None,
                    accounts=accounts or None,
                    abs_tol=Decimal(str(tolerance)).quantize(Decimal("0.01")),
                ).run_id
        else:
            _run_again()
        s["recon_run_mode"] = mode
    except Exception as exc:  # noqa: BLE001
        show_error(exc)

run_id = s["recon_run_id"]
if run_id is None:
    st.stop()

# --- 3. results -----------------------------------------------------------------------------------

st.header("3. Results", divider="gray")
with connection(db) as con:
    counts = result_counts(con, run_id)
    by_account = differences_by_account_period(con, run_id)
cols = st.columns(4)
for col, kind in zip(cols, RESULT_KINDS, strict=True):
    col.metric(label(kind), f"{counts[kind]:,}")

open_rows = [r for r in by_account if r["only_in_afas"] or r["only_in_ledger"] or r["differing"]]
if open_rows:
    st.plotly_chart(
        px.bar(
            [
                {
                    "Period": f"{r['year']}-{r['period']:02d}" if r["year"] else "?",
                    "Account": r["account"] or "?",
                    "Difference": r["difference"],
                }
                for r in open_rows
            ],
            x="Period",
            y="Difference",
            color="Account",
            title="Unmatched difference per period (AFAS − ledger)",
        ),
        key="recon_chart",
    )

c1, c2 = st.columns([2, 2])
kind = c1.selectbox(
    "Show",
    [None, *RESULT_KINDS],
    key="recon_kind",
    format_func=lambda k: "everything" if k is None else label(k),
)
search = c2.text_input("Search (voucher, description, amount)", key="recon_search")
with connection(db) as con:
    table = results_table(con, run_id, kind, search or None)
event = st.dataframe(
    table.drop_columns(["unit_id", "entry_no", "seq_no", "line_no"]),
    hide_index=True,
    width="stretch",
    key="recon_results",
    on_select="rerun",
    selection_mode="multi-row",
    column_config={c: MONEY for c in ("AFAS amount", "Ledger amount", "Difference")},
)
st.caption(f"{table.num_rows:,} rows shown (at most 500; narrow with the filters).")
picked = [table.slice(i, 1).to_pylist()[0] for i in (event.selection.rows if event is not None else [])]
afas_keys = [(r["unit_id"], r["entry_no"], r["seq_no"]) for r in picked if r["entry_no"] is not None]
line_nos = [r["line_no"] for r in picked if r["line_no"] is not None]
if picked:
    st.caption(selection_summary(len(afas_keys), len(line_nos)))
c1, c2, _ = st.columns([1, 1, 2])
line_run = s.get("recon_run_mode", "lines") == "lines"
if c1.button(
    "Match selected by hand",
    key="recon_match_manual",
    disabled=not (afas_keys and line_nos) or not line_run,
    help="Select at least one AFAS line and one ledger line.",
):
    try:
        with connection(db) as con:
            match_manually(con, import_id, afas_keys, line_nos, note="matched on the Reconcile page")
        _run_again()
        st.rerun()
    except ValueError as exc:
        st.error(plain(exc))
groups = sorted({r["Group"] for r in picked if r["Group"] is not None})
if c2.button("Unmatch selected", key="recon_unmatch", disabled=not groups or not line_run):
    with connection(db) as con:
        for g in groups:
            unmatch_group(con, run_id, g, note="unmatched on the Reconcile page")
    _run_again()
    st.rerun()


def _xlsx() -> bytes:
    out = io.BytesIO()
    with connection(db) as con:
        export_workbook(con, run_id, out)
    return out.getvalue()


def _csv() -> bytes:
    out = io.StringIO()
    with connection(db) as con:
        export_csv(con, run_id, out)
    return out.getvalue().encode("utf-8")


c1, c2, _ = st.columns([1, 1, 2])
c1.download_button(
    "Download Excel",
    _xlsx,
    f"reconciliation-{run_id}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="recon_xlsx",
    on_click="ignore",
)
c2.download_button(
    "Download CSV", _csv, f"reconciliation-{run_id}.csv", "text/csv", key="recon_csv", on_click="ignore"
)
if line_run and (counts["only_in_ledger"] or counts["differing"]):
    st.page_link(
        "views/corrections.py",
        label="Next: turn the differences into corrections",
        icon=":material/arrow_forward:",
    )
