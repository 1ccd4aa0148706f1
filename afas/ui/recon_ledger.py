"""The Reconcile page's first section: which ledger, read and mapped, imported, or deleted.

Rendering only, as a page: what it shows comes from afas.recon (forms, ledgers, readers) and
afas.ui.ledger (an upload read once); errors are shown with afas.ui.errors.shown_here.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from afas.catalogue import label
from afas.emulator.demo import bank_export, ledger_export, xaf_export
from afas.i18n import amount, date, ntr, number, tr
from afas.recon.forms import (
    NO_COLUMN,
    LedgerSource,
    MappingForm,
    file_description,
    import_title,
    ledger_sources,
    note_rows,
    problem_rows,
    warnings_shown,
)
from afas.recon.ledgers import (
    LedgerImport,
    delete_import,
    import_footprint,
    import_table,
    load_profile,
    save_profile,
)
from afas.recon.limits import upload_help, upload_types
from afas.recon.readers import sheet_names
from afas.ui.connection import Connection
from afas.ui.errors import shown_here
from afas.ui.grid import for_grid
from afas.ui.ledger import first_line, read_upload, suggestion
from afas.ui.ledger import preview as read_preview
from afas.ui.text import plain
from afas.warehouse.db import connection

__all__ = ["choose", "ledger_section"]

HEADER_FORMATS = ("csv", "xlsx")
"""The formats whose first line may be a header or a transaction (the others' columns are fixed)."""


def choose(import_id: int | None) -> None:
    s = st.session_state
    """Work on another ledger: its earlier results are not this one's."""
    if s["recon_import_id"] != import_id:
        s["recon_import_id"], s["recon_run_id"] = import_id, None


def _delete_section(db: Path, import_id: int) -> None:
    s = st.session_state
    with connection(db) as con:
        footprint = import_footprint(con, import_id)
    if footprint is None:
        return
    with st.expander(tr("Delete this ledger")):
        if not footprint.deletable:
            st.info(plain(footprint.refusal()))
            return
        removes = tr("Deleting it removes {what}. This cannot be undone.").format(what=footprint.removes())
        st.write(plain(removes))
        sure = st.checkbox(
            tr("Yes, delete ledger #{number}").format(number=import_id), key="recon_delete_sure"
        )
        if st.button(tr("Delete ledger"), key="recon_delete", type="primary", disabled=not sure):
            with shown_here() as outcome, connection(db) as con:
                delete_import(con, import_id)
            if not outcome.failed:
                s["recon_notice"] = tr("Ledger #{number} '{name}' was deleted.").format(
                    number=import_id, name=footprint.ledger.name
                )
                choose(None)
                s.pop("recon_earlier", None)
                st.rerun()


def _sheet(name: str, data: bytes, first_sheet: str | None) -> str | None:
    """The workbook sheet to read: a picker when the workbook has more than one."""
    if first_sheet is None:
        return None
    sheets = sheet_names(data, name)
    if len(sheets) < 2:
        return first_sheet
    return st.selectbox(
        tr("Sheet"), sheets, key=f"recon_sheet_{name}", help=tr("The workbook has several sheets.")
    )


def _import_file(db: Path, profiles: list[str], name: str, data: bytes) -> None:
    s = st.session_state
    with shown_here() as outcome:
        table = read_upload(db, data, name)
        sheet = _sheet(name, data, table.sheet)
        if sheet != table.sheet:
            table = read_upload(db, data, name, sheet=sheet)
    if outcome.failed:
        st.stop()
    if table.file_format in HEADER_FORMATS:
        as_data = st.checkbox(
            tr("The first line is a transaction (the file has no header line)"),
            value=table.headerless,
            key=f"recon_first_line_{(table.sha256 or '')[:12]}_{table.sheet}",
        )
        with shown_here() as outcome:
            table = first_line(table, as_data)
        if outcome.failed:
            st.stop()
    read = ntr("{file}: {n} lines ({how})", "{file}: {n} lines ({how})", table.num_rows)
    st.caption(read.format(file=plain(name), n=number(table.num_rows), how=plain(file_description(table))))
    chosen_profile = st.selectbox(
        tr("Column mapping"),
        [NO_COLUMN, *profiles],
        key="recon_profile",
        help=tr("Saved mappings are reused."),
    )
    with shown_here() as outcome, connection(db) as con:
        base = load_profile(con, chosen_profile) if chosen_profile != NO_COLUMN else None
    if outcome.failed:
        st.stop()
    # the pickers come first: a file whose columns the suggestion misses is mapped by hand here
    form = MappingForm(base or suggestion(table), tuple(table.headers))
    # keyed by file, sheet, header choice and profile: another one starts from its own suggestion
    state = f"{(table.sha256 or '')[:12]}_{table.sheet}_{table.headerless}_{chosen_profile}"
    keys = form.widget_keys(f"recon_map_{state}_")
    with st.expander(tr("Column mapping (suggested from the header)"), expanded=True):
        cols = st.columns(3)
        chosen = {
            f: cols[i % 3].selectbox(form.label(f), form.options, index=form.index(f), key=key)
            for i, (f, key) in enumerate(zip(form.fields, keys, strict=True))
        }
        more = st.multiselect(
            tr("Further description columns (joined to the description)"),
            list(table.headers),
            default=form.more_descriptions,
            key=keys[0] + "_more",
        )
        c1, c2, c3, c4 = st.columns(4)
        date_format = c3.selectbox(
            tr("Dates are"),
            form.date_formats,
            index=form.date_format_index,
            format_func=form.date_format_label,
            key=keys[0] + "_date_format",
        )
        decimals = c4.selectbox(
            tr("Amounts have a decimal"),
            form.decimal_separators,
            index=form.decimal_separator_index,
            format_func=form.decimal_separator_label,
            key=keys[0] + "_decimals",
        )
        meaning = c1.selectbox(
            tr("D and C in the sign column are"),
            form.sign_meanings,
            index=form.sign_meaning_index,
            format_func=label,
            key=keys[0] + "_meaning",
            help=tr("On a bank's own export D (debet) is money going out of the account."),
        )
        flip = c2.checkbox(
            tr("Flip the sign (credit positive in this file)"),
            value=form.mapping.flip_sign,
            key=keys[0] + "_flip",
        )
        edited = form.edited(chosen, flip, meaning, more, date_format, decimals)
        c1, c2 = st.columns([3, 1])
        profile_name = c1.text_input(
            tr("Save this mapping as"), key="recon_profile_name", placeholder=tr("e.g. Exact export")
        ).strip()
        if c2.button(tr("Save mapping"), key="recon_save_profile", disabled=not profile_name):
            with connection(db) as con:
                save_profile(con, profile_name, edited)
            st.success(tr("Mapping saved as '{name}'.").format(name=plain(profile_name)))
    with shown_here() as outcome:
        preview = read_preview(db, table, edited)
    if outcome.failed:
        st.stop()
    found = preview.summary
    notes = preview.notes
    warned, more = warnings_shown(notes)
    for text in warned:
        st.warning(plain(text))
    if more:
        st.warning(tr("And {n} more: see 'How the file is read' below.").format(n=number(more)))
    with st.expander(tr("How the file is read (every guess, and what it rests on)"), expanded=bool(warned)):
        for row in note_rows(notes):  # sentences, not a grid: a grid cuts them off
            st.markdown(f"**{plain(row['About'])}**: {plain(row['How the file is read'])}")
    readable = ntr(
        "**{n}** lines readable, total {total}", "**{n}** lines readable, total {total}", found.rows
    ).format(n=number(found.rows), total=amount(found.total))
    unreadable = tr("**{n}** cannot be read").format(n=number(found.problem_lines))
    st.write(readable + ("; " + unreadable if found.problem_count else ""))
    if found.problems:
        st.dataframe(
            for_grid(problem_rows(found.problems)), hide_index=True, key="recon_problems", placeholder=""
        )
    earlier = preview.duplicate_of
    if earlier is not None and s["recon_import_id"] == earlier.import_id:
        st.success(
            tr("This file is ledger #{number} '{name}': match it below.").format(
                number=earlier.import_id, name=plain(earlier.name)
            )
        )
        return
    if earlier is not None:
        st.warning(
            tr(
                "This exact file was imported before as #{number} '{name}' on {date} {time}; pick it "
                "under 'A ledger imported before', or import it again."
            ).format(
                number=earlier.import_id,
                name=plain(earlier.name),
                date=date(earlier.imported),
                time=f"{earlier.imported:%H:%M}",
            )
        )
    with st.form("recon_import_form"):
        # keyed by the file: the next upload is named after itself, not after the one before
        title = st.text_input(
            tr("Name"), value=name.rsplit(".", 1)[0], key=f"recon_import_name_{(table.sha256 or '')[:12]}"
        )
        accept = again = False
        if found.problem_count:
            accept = st.checkbox(
                ntr(
                    "Import without the {n} unreadable lines",
                    "Import without the {n} unreadable lines",
                    found.problem_lines,
                ).format(n=number(found.problem_lines)),
                key="recon_accept",
            )
        if earlier is not None:
            again = st.checkbox(tr("Import again although it was imported before"), key="recon_again")
        go = st.form_submit_button(tr("Import ledger"), type="primary")
    if not go:
        return
    with shown_here() as outcome, connection(db) as con, st.spinner(tr("Importing…")):
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
        choose(result.import_id)
        imported = ntr(
            "Imported {n} lines as #{number}{skipped}.",
            "Imported {n} lines as #{number}{skipped}.",
            result.rows,
        )
        skipped = tr(" ({n} skipped)").format(n=number(result.skipped)) if result.skipped else ""
        st.success(imported.format(n=number(result.rows), number=result.import_id, skipped=skipped))


def ledger_section(conn: Connection, db: Path, imports: list[LedgerImport], profiles: list[str]) -> None:
    """Section 1: the ledger to reconcile, uploaded, the demo's, or imported before."""
    s = st.session_state
    st.header(tr("1. Ledger"), divider="gray")
    source = st.radio(
        tr("Ledger"),
        ledger_sources(
            demo=conn.demo and ledger_export.DEMO_LEDGER.exists(),
            imported=bool(imports),
            demo_xaf=conn.demo and xaf_export.DEMO_XAF.exists(),
            demo_statement=conn.demo and bank_export.DEMO_STATEMENT.exists(),
        ),
        key="recon_source",
        horizontal=True,
        label_visibility="collapsed",
        format_func=label,
    )
    if source == LedgerSource.EARLIER:
        chosen = st.selectbox(tr("Imported ledgers"), imports, key="recon_earlier", format_func=import_title)
        if chosen is not None:
            choose(chosen.import_id)
            _delete_section(db, chosen.import_id)
    else:
        if source == LedgerSource.DEMO:
            st.caption(
                tr(
                    "The demo bank account's {year} ledger card as another package exports it "
                    "(Dutch CSV), with a few differences planted for you to find."
                ).format(year=ledger_export.YEAR)
            )
            s["recon_file"] = (ledger_export.DEMO_LEDGER.name, ledger_export.DEMO_LEDGER.read_bytes())
        elif source == LedgerSource.DEMO_XAF:
            st.caption(
                tr(
                    "The demo administration's books of {year}, its first year in AFAS, as the "
                    "previous package exports them (an XAF audit file, opening balance included), with a few "
                    "differences planted for you to find. Compare all accounts (empty the accounts to "
                    "compare), line by line or as balances per account and period."
                ).format(year=xaf_export.YEAR)
            )
            s["recon_file"] = (xaf_export.DEMO_XAF.name, xaf_export.DEMO_XAF.read_bytes())
        elif source == LedgerSource.DEMO_STATEMENT:
            st.caption(
                tr(
                    "The statements of the demo bank account {iban} (ledger account 1100), one per month "
                    "as the bank sends them (CAMT.053), with a few differences planted in {month}. Import "
                    "it, match it against AFAS account 1100, then on Close link account 1100 to this IBAN: "
                    "its closing balances are the account's evidence, the lines the matching leaves its "
                    "reconciling items."
                ).format(
                    iban=bank_export.DEMO_BANK_IBAN,
                    month=f"{bank_export.PLANTED_YEAR}-{bank_export.PLANTED_MONTH:02d}",
                )
            )
            s["recon_file"] = (bank_export.DEMO_STATEMENT.name, bank_export.DEMO_STATEMENT.read_bytes())
        else:
            upload = st.file_uploader(
                tr("CSV, Excel, Parquet, MT940, CAMT.053 or XAF"),
                type=upload_types(),
                key="recon_upload",
                help=upload_help() + ".",
            )
            s["recon_file"] = (upload.name, upload.getvalue()) if upload is not None else None
        if s["recon_file"] is not None:
            _import_file(db, profiles, *s["recon_file"])
