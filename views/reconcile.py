"""Reconcile: import a ledger, map its columns, match it against AFAS, review and export the result."""

from __future__ import annotations

import io

import plotly.express as px
import streamlit as st

from afas.catalogue import label
from afas.corrections.folding import with_corrections
from afas.emulator.demo.ledger_export import DEMO_LEDGER, YEAR
from afas.recon.export import export_csv, export_workbook
from afas.recon.forms import (
    NO_COLUMN,
    Comparison,
    LedgerSource,
    MappingForm,
    MatchForm,
    file_description,
    import_title,
    ledger_sources,
    pass_names,
    problem_rows,
    summary_caption,
)
from afas.recon.ledgers import (
    delete_import,
    import_footprint,
    import_table,
    list_imports,
    list_profiles,
    load_profile,
    save_profile,
    suggested_mapping,
)
from afas.recon.limits import upload_help
from afas.recon.matching import differences_by_account_period, result_counts
from afas.recon.overrides import (
    match_manually,
    override_rows,
    remove_override,
    selection_summary,
    unmatch_group,
)
from afas.recon.passes import Ambiguity
from afas.recon.readers import sheet_names
from afas.recon.schema import RESULT_KINDS
from afas.recon.views import SHOWN_COLUMNS_DROPPED, Selection, ledger_summary, open_differences, results_table
from afas.ui.errors import shown_here
from afas.ui.grid import for_grid
from afas.ui.ledger import preview as read_preview
from afas.ui.ledger import read_upload
from afas.ui.text import plain
from afas.ui.warehouse import MONEY, current_profile, require_connection, warehouse_path
from afas.warehouse.db import connection
from afas.warehouse.explore import has_table

st.title("Reconcile with your ledger")
conn = require_connection()
db = warehouse_path(conn)
profile = current_profile()
unit_id = profile.administration if profile else None
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
if notice := s.pop("recon_notice", None):
    st.success(plain(notice))


def _choose(import_id: int | None) -> None:
    """Work on another ledger: its earlier results are not this one's."""
    if s["recon_import_id"] != import_id:
        s["recon_import_id"], s["recon_run_id"] = import_id, None


def _delete_section(import_id: int) -> None:
    with connection(db) as con:
        footprint = import_footprint(con, import_id)
    if footprint is None:
        return
    with st.expander("Delete this ledger"):
        if not footprint.deletable:
            st.info(plain(footprint.refusal()))
            return
        st.write(plain(f"Deleting it removes {footprint.removes()}. This cannot be undone."))
        sure = st.checkbox(f"Yes, delete ledger #{import_id}", key="recon_delete_sure")
        if st.button("Delete ledger", key="recon_delete", type="primary", disabled=not sure):
            with shown_here() as outcome, connection(db) as con:
                delete_import(con, import_id)
            if not outcome.failed:
                s["recon_notice"] = f"Ledger #{import_id} '{footprint.ledger.name}' was deleted."
                _choose(None)
                s.pop("recon_earlier", None)
                st.rerun()


def _sheet(name: str, data: bytes, first_sheet: str | None) -> str | None:
    """The workbook sheet to read: a picker when the workbook has more than one."""
    if first_sheet is None:
        return None
    sheets = sheet_names(data, name)
    if len(sheets) < 2:
        return first_sheet
    return st.selectbox("Sheet", sheets, key=f"recon_sheet_{name}", help="The workbook has several sheets.")


def _import_file(name: str, data: bytes) -> None:
    with shown_here() as outcome:
        table = read_upload(db, data, name)
        sheet = _sheet(name, data, table.sheet)
        if sheet != table.sheet:
            table = read_upload(db, data, name, sheet=sheet)
    if outcome.failed:
        st.stop()
    st.caption(f"{plain(name)}: {table.num_rows:,} lines ({plain(file_description(table))})")
    chosen_profile = st.selectbox(
        "Column mapping", [NO_COLUMN, *profiles], key="recon_profile", help="Saved mappings are reused."
    )
    with shown_here() as outcome, connection(db) as con:
        base = load_profile(con, chosen_profile) if chosen_profile != NO_COLUMN else None
    if outcome.failed:
        st.stop()
    # the pickers come first: a file whose columns the suggestion misses is mapped by hand here
    form = MappingForm(base or suggested_mapping(table), tuple(table.headers))
    # keyed by file, sheet and profile: another one starts from its own suggestion, not the last picks
    keys = form.widget_keys(f"recon_map_{(table.sha256 or '')[:12]}_{table.sheet}_{chosen_profile}_")
    with st.expander("Column mapping (suggested from the header)", expanded=True):
        cols = st.columns(3)
        chosen = {
            f: cols[i % 3].selectbox(form.label(f), form.options, index=form.index(f), key=key)
            for i, (f, key) in enumerate(zip(form.fields, keys, strict=True))
        }
        flip = st.checkbox(
            "Flip the sign (credit positive in this file)",
            value=form.mapping.flip_sign,
            key=keys[0] + "_flip",
        )
        edited = form.edited(chosen, flip)
        c1, c2 = st.columns([3, 1])
        profile_name = c1.text_input(
            "Save this mapping as", key="recon_profile_name", placeholder="e.g. Exact export"
        ).strip()
        if c2.button("Save mapping", key="recon_save_profile", disabled=not profile_name):
            with connection(db) as con:
                save_profile(con, profile_name, edited)
            st.success(f"Mapping saved as '{plain(profile_name)}'.")
    with shown_here() as outcome:
        preview = read_preview(db, table, edited)
    if outcome.failed:
        st.stop()
    found = preview.summary
    st.write(
        f"**{found.rows:,}** lines readable, total € {found.total:,.2f}"
        + (f"; **{found.problem_lines:,}** cannot be read" if found.problem_count else "")
    )
    if found.problems:
        st.dataframe(
            for_grid(problem_rows(found.problems)), hide_index=True, key="recon_problems", placeholder=""
        )
    earlier = preview.duplicate_of
    if earlier is not None and s["recon_import_id"] == earlier.import_id:
        st.success(f"This file is ledger #{earlier.import_id} '{plain(earlier.name)}': match it below.")
        return
    if earlier is not None:
        st.warning(
            f"This exact file was imported before as #{earlier.import_id} '{plain(earlier.name)}' "
            f"on {earlier.imported:%d-%m-%Y %H:%M}; pick it under 'A ledger imported before', "
            "or import it again."
        )
    with st.form("recon_import_form"):
        title = st.text_input("Name", value=name.rsplit(".", 1)[0], key="recon_import_name")
        accept = again = False
        if found.problem_count:
            accept = st.checkbox(
                f"Import without the {found.problem_lines:,} unreadable lines", key="recon_accept"
            )
        if earlier is not None:
            again = st.checkbox("Import again although it was imported before", key="recon_again")
        go = st.form_submit_button("Import ledger", type="primary")
    if not go:
        return
    with shown_here() as outcome, connection(db) as con, st.spinner("Importing…"):
        result = import_table(
            con,
            table,
            edited,
            file_name=name,
            name=title,
            accept_problems=accept,
            allow_duplicate=again,
            profile=chosen_profile if chosen_profile != NO_COLUMN else None,
        )
    if not outcome.failed:
        _choose(result.import_id)
        skipped = f" ({result.skipped:,} skipped)" if result.skipped else ""
        st.success(f"Imported {result.rows:,} lines as #{result.import_id}{skipped}.")


# --- 1. the ledger --------------------------------------------------------------------------------

st.header("1. Ledger", divider="gray")
source = st.radio(
    "Ledger",
    ledger_sources(demo=conn.demo and DEMO_LEDGER.exists(), imported=bool(imports)),
    key="recon_source",
    horizontal=True,
    label_visibility="collapsed",
    format_func=label,
)
if source == LedgerSource.EARLIER:
    chosen = st.selectbox("Imported ledgers", imports, key="recon_earlier", format_func=import_title)
    if chosen is not None:
        _choose(chosen.import_id)
        _delete_section(chosen.import_id)
else:
    if source == LedgerSource.DEMO:
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
        _import_file(*s["recon_file"])

import_id = s["recon_import_id"]
if import_id is None:
    st.stop()

# --- 2. matching ----------------------------------------------------------------------------------

st.header("2. Match", divider="gray")
with connection(db) as con:
    summary = ledger_summary(con, import_id)
    overrides = override_rows(con, import_id)
st.caption(summary_caption(import_id, summary))
with st.form("recon_match_form"):
    comparison = st.radio("Compare", list(Comparison), key="recon_mode", horizontal=True, format_func=label)
    c1, c2 = st.columns(2)
    accounts = c1.multiselect(
        "AFAS accounts to compare",
        summary.accounts,
        default=summary.accounts[:1],
        key="recon_accounts",
        help="Only AFAS lines on these accounts take part (empty: all accounts).",
    )
    dates = c2.date_input("Dates", value=MatchForm.default_dates(summary), key="recon_dates")
    c1, c2, c3, c4 = st.columns(4)
    tolerance = c1.number_input(
        "Amount tolerance (€)", 0.0, 1000.0, 0.0, 0.01, key="recon_tol", format="%.2f"
    )
    days = c2.number_input("Date window (days)", 0, 60, 3, key="recon_days")
    similarity = c3.slider("Text similarity (%)", 50, 100, 85, key="recon_similarity")
    ambiguity = c4.selectbox(
        "When several candidates fit", list(Ambiguity), key="recon_policy", format_func=label
    )
    names = pass_names()
    enabled = st.multiselect("Passes, in order", names, default=names, key="recon_passes")
    run = st.form_submit_button("Run matching", type="primary")


def _run(form: MatchForm) -> None:
    """Run ``form``'s comparison; line runs see the corrections this tool posted folded in."""
    with shown_here() as outcome, connection(db) as con:
        table = with_corrections(con) if form.lines else None
        run_id = form.run(con, import_id, afas_table=table)
    if not outcome.failed:
        s["recon_run_id"], s["recon_form"] = run_id, form


if run:
    _run(
        MatchForm(
            comparison=comparison,
            accounts=tuple(accounts),
            dates=dates,
            tolerance=tolerance,
            days=days,
            similarity=similarity,
            ambiguity=ambiguity,
            passes=tuple(enabled),
            unit_id=unit_id,
        )
    )

if overrides:
    with st.expander(f"Matches made or undone by hand ({len(overrides)})"):
        st.dataframe(for_grid(overrides), hide_index=True, key="recon_overrides", placeholder="")
        ids = st.multiselect(
            "Remove", [o["#"] for o in overrides], key="recon_remove_ids", format_func=lambda i: f"#{i}"
        )
        if st.button("Remove selected", key="recon_remove_override", disabled=not ids):
            with connection(db) as con:
                for override_id in ids:
                    remove_override(con, override_id)
            if s.get("recon_form") is not None and s["recon_form"].lines and s["recon_run_id"]:
                _run(s["recon_form"])  # the results follow: those lines are matched automatically again
            s["recon_notice"] = f"Removed {len(ids)} of the matches made or undone by hand."
            st.rerun()

run_id = s["recon_run_id"]
if run_id is None:
    st.stop()

# --- 3. results -----------------------------------------------------------------------------------

st.header("3. Results", divider="gray")
with connection(db) as con:
    counts = result_counts(con, run_id)
    chart = open_differences(differences_by_account_period(con, run_id))
for col, kind in zip(st.columns(4), RESULT_KINDS, strict=True):
    col.metric(label(kind), f"{counts[kind]:,}")
if chart:
    st.plotly_chart(
        px.bar(
            chart,
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
    for_grid(table, drop=SHOWN_COLUMNS_DROPPED),
    hide_index=True,
    width="stretch",
    key="recon_results",
    on_select="rerun",
    selection_mode="multi-row",
    column_config={c: MONEY for c in ("AFAS amount", "Ledger amount", "Difference")},
    placeholder="",
)
st.caption(f"{table.num_rows:,} rows shown (at most 500; narrow with the filters).")
selection = Selection.of(table, event.selection.rows if event is not None else [])
if not selection.empty:
    st.caption(selection_summary(len(selection.afas_keys), len(selection.line_nos)))
line_run = s.get("recon_form") is not None and s["recon_form"].lines
c1, c2, _ = st.columns([1, 1, 2])
if c1.button(
    "Match selected by hand",
    key="recon_match_manual",
    disabled=not selection.can_match or not line_run,
    help="Select at least one AFAS line and one ledger line.",
):
    with shown_here() as outcome, connection(db) as con:
        match_manually(
            con, import_id, selection.afas_keys, selection.line_nos, note="matched on the Reconcile page"
        )
    if not outcome.failed:
        _run(s["recon_form"])
        st.rerun()
if c2.button("Unmatch selected", key="recon_unmatch", disabled=not selection.groups or not line_run):
    with connection(db) as con:
        for group in selection.groups:
            unmatch_group(con, run_id, group, note="unmatched on the Reconcile page")
    _run(s["recon_form"])
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
