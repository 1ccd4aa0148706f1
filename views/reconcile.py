"""Reconcile: import a ledger, map its columns, match it against AFAS, review and export the result.

The ledger section (afas.ui.recon_ledger) and the results section (afas.ui.recon_results) render in
modules of their own; this page holds the match form between them.
"""

from __future__ import annotations

from decimal import Decimal

import streamlit as st

from afas.catalogue import label
from afas.close.form import linked_accounts
from afas.corrections.folding import with_corrections
from afas.i18n import grid_date_format, ntr, number, tr
from afas.recon.forms import Comparison, MatchForm, pass_label, pass_names, summary_caption
from afas.recon.ledgers import list_imports, list_profiles
from afas.recon.overrides import override_rows, remove_overrides
from afas.recon.passes import Ambiguity
from afas.recon.views import afas_account_choices, ledger_summary
from afas.ui.errors import shown_here
from afas.ui.grid import for_grid
from afas.ui.recon_ledger import ledger_section
from afas.ui.recon_results import results_section
from afas.ui.text import plain
from afas.ui.warehouse import current_profile, require_connection, warehouse_path
from afas.warehouse.db import connection
from afas.warehouse.explore import has_table

st.title(tr("Reconcile with your ledger"))
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
    st.info(tr("Sync the journal lines (Profit_Transactions) first: the ledger is matched against them."))
    st.page_link("views/sync.py", label=tr("Go to Sync"), icon=":material/sync:")
    st.stop()
if notice := s.pop("recon_notice", None):
    st.success(plain(notice))

ledger_section(conn, db, imports, profiles)
import_id = s["recon_import_id"]
if import_id is None:
    st.stop()

# --- 2. matching ----------------------------------------------------------------------------------

st.header(tr("2. Match"), divider="gray")
with connection(db) as con:
    summary = ledger_summary(con, import_id)
    overrides = override_rows(con, import_id)
    account_options, account_default, account_names = afas_account_choices(con, summary)
    # a bank statement: the account the month-end close links to its IBAN
    account_default = (
        account_default or [a for a in linked_accounts(con, summary.accounts) if a in account_names][:1]
    )
st.caption(summary_caption(import_id, summary))
date_format = grid_date_format()  # 31-12-2026 in Dutch, 31/12/2026 in English, as the grids write them
with st.form("recon_match_form"):
    comparison = st.radio(
        tr("Compare"), list(Comparison), key="recon_mode", horizontal=True, format_func=label
    )
    c1, c2 = st.columns(2)
    accounts = c1.multiselect(
        tr("AFAS accounts to compare"),
        account_options,
        default=account_default,
        key="recon_accounts",
        format_func=account_names.get,
        help=tr("Only AFAS lines on these accounts take part (empty: all accounts)."),
    )
    dates = c2.date_input(
        tr("Dates"), value=MatchForm.default_dates(summary), key="recon_dates", format=date_format
    )
    c1, c2, c3, c4 = st.columns(4)
    tolerance = c1.text_input(
        tr("Amount tolerance (€)"),
        number(Decimal(0), 2),  # 0,00 in Dutch, 0.00 in English; either is read
        key="recon_tol",
        help=tr("How far two amounts may differ and still match: 0 to 1,000 euros, e.g. 0.05."),
    )
    days = c2.number_input(tr("Date window (days)"), 0, 60, 3, key="recon_days")
    similarity = c3.slider(tr("Text similarity (%)"), 50, 100, 85, key="recon_similarity")
    ambiguity = c4.selectbox(
        tr("When several candidates fit"), list(Ambiguity), key="recon_policy", format_func=label
    )
    names = pass_names()
    enabled = st.multiselect(
        tr("Passes, in order"), names, default=names, key="recon_passes", format_func=pass_label
    )
    run = st.form_submit_button(tr("Run matching"), type="primary")


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
    made = tr("Matches made or undone by hand ({n})").format(n=number(len(overrides)))
    with st.expander(made):
        st.dataframe(for_grid(overrides), hide_index=True, key="recon_overrides", placeholder="")
        ids = st.multiselect(
            tr("Remove"), [o["#"] for o in overrides], key="recon_remove_ids", format_func=lambda i: f"#{i}"
        )
        if st.button(tr("Remove selected"), key="recon_remove_override", disabled=not ids):
            with connection(db) as con:
                remove_overrides(con, ids)
            if s.get("recon_form") is not None and s["recon_form"].lines and s["recon_run_id"]:
                _run(s["recon_form"])  # the results follow: those lines are matched automatically again
            s["recon_notice"] = ntr(
                "Removed {n} of the matches made or undone by hand.",
                "Removed {n} of the matches made or undone by hand.",
                len(ids),
            ).format(n=number(len(ids)))
            st.rerun()

run_id = s["recon_run_id"]
if run_id is None:
    st.stop()

results_section(db, import_id, run_id, _run)
