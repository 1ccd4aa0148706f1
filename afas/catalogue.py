"""The words a user reads for each member of the app's closed vocabularies, in one place.

Every closed vocabulary of the app is a ``StrEnum`` beside the code that decides with it (result
kinds in afas.recon.schema, outbox states in afas.corrections.schema, ...); it stores as its text in
DuckDB. What a person reads for a member comes from here only, through :func:`label` (or
:func:`label_sql` where a DuckDB query shows it): the dashboard, the exports and the CLI say the same
thing for the same member. The texts here are English; :func:`label` gives them in the interface's
language (afas.i18n: each is a message of the Dutch catalogue, which tests hold complete).

A context names the rare place where a member reads differently (gettext's ``pgettext``): in a
master-data comparison the second side is the user's file, not a ledger.

The tables are keyed by the enum's class name and the member's value, so this module imports
nothing of the app but afas.i18n and every package may use it (a test holds every StrEnum of
``afas`` to a full entry).
"""

from __future__ import annotations

from enum import StrEnum

from afas.i18n import ptr, tr

__all__ = ["CONTEXTS", "LABELS", "label", "label_sql", "labels"]

LABELS: dict[str, dict[str, str]] = {
    "ResultKind": {
        "matched": "Matched",
        "only_in_afas": "Only in AFAS",
        "only_in_ledger": "Only in the ledger",
        "differing": "Differing",
    },
    "PassName": {
        "voucher": "voucher",
        "invoice": "invoice",
        "amount_date": "amount and date",
        "amount_text": "amount and description",
        "one_to_many": "one AFAS line, several ledger lines",
        "many_to_one": "several AFAS lines, one ledger line",
        "manual": "by hand",
        "balance": "balance",
        "master_data": "master data",
    },
    "Ambiguity": {
        "unique": "match only a unique one",
        "oldest": "take the oldest",
        "newest": "take the newest",
    },
    "Subject": {
        "layout": "File",
        "header": "Header",
        "amount": "Amount",
        "decimals": "Numbers",
        "dates": "Dates",
        "sign": "Sign",
        "check": "Check",
    },
    "SignMeaning": {
        "ledger": "a ledger's: D (debet) is a debit, positive",
        "bank": "a bank's: D (debet) is money out of the account, negative",
    },
    "Comparison": {
        "lines": "line by line",
        "balances": "balances per account and period (a trial balance against AFAS's)",
    },
    "LedgerSource": {
        "upload": "Upload a file",
        "demo": "Use the demo ledger",
        "demo_xaf": "Use the previous package's audit file (XAF)",
        "demo_statement": "Use the demo bank statement (CAMT.053)",
        "earlier": "A ledger imported before",
    },
    "OverrideAction": {
        "match": "matched by hand",
        "unmatch": "unmatched by hand",
    },
    "AuditEvent": {
        "approved": "approved",
        "prepared": "prepared for approval",
        "sending": "sent to AFAS",
        "confirmed": "in AFAS",
        "rejected": "rejected by AFAS",
        "not_processed": "not taken in by AFAS",
        "unknown": "no answer: to be read back",
        "stale": "stopped: AFAS changed",
        "found_before_send": "already in AFAS (read back)",
        "reference_taken": "reference used by another entry",
        "resolved": "read back and settled",
        "claim_lost": "answer after another sender took over",
    },
    "EvidenceKind": {
        "bank_statement": "bank statement's closing balance",
        "debtor_items": "open items of customers",
        "creditor_items": "open items of suppliers",
        "zero": "should be zero",
        "schedule": "an amount documented by hand",
    },
    "CloseStatus": {
        "not_started": "not started",
        "unexplained": "difference to explain",
        "explained": "explained",
        "reconciled": "reconciled",
        "no_activity": "no balance, no movement",
        "prepared": "prepared",
        "reviewed": "reviewed",
        "reopened": "reopened",
    },
    "CloseEvent": {
        "setting": "evidence setting changed",
        "evidence": "evidence documented",
        "item_added": "reconciling item added",
        "item_cleared": "reconciling item cleared",
        "item_to_correction": "reconciling item made a correction",
        "prepared": "prepared",
        "reviewed": "reviewed",
        "unsigned": "sign-off withdrawn",
        "reopened": "reopened by a change in AFAS",
    },
    "OutboxState": {
        "approved": "approved, not sent",
        "sending": "sending",
        "confirmed": "in AFAS",
        "rejected": "rejected by AFAS",
        "unknown": "unknown: resolve",
        "stale": "stopped: AFAS changed",
    },
    "PlanKind": {
        "entry": "journal entry",
        "relation_insert": "new relation",
        "relation_update": "change of fields",
        "dim_code": "new allocation code",
    },
    "CorrectionMode": {
        "new_entry": "new entry",
        "difference": "difference entry",
        "reverse_and_rebook": "reverse and re-book",
    },
    "SyncMode": {
        "full": "full",
        "incremental": "incremental",
    },
    "SyncStatus": {
        "running": "running",
        "ok": "ok",
        "failed": "failed",
        "interrupted": "interrupted",
    },
    "BatchState": {
        "waiting": "waiting for approval",
        "approved": "approved",
        "declined": "declined",
    },
    "Role": {
        "viewer": "viewer",
        "preparer": "preparer",
        "approver": "approver",
        "admin": "administrator",
    },
    "Right": {
        "view": "exploring, reconciling and exporting",
        "prepare": "preparing corrections and the close",
        "approve": "approving and sending corrections, reviewing the close",
        "administer": "setting up the connection and the defaults",
    },
}
"""Enum class name -> member value -> what the user reads."""

CONTEXTS: dict[str, dict[str, dict[str, str]]] = {
    "master_data": {"ResultKind": {"only_in_ledger": "Only in the file"}},
}
"""Context -> enum class name -> member value -> the wording there (else the plain label)."""


def label(member: StrEnum, context: str | None = None) -> str:
    """What a user reads for ``member`` (in ``context``, if it words the member otherwise)."""
    name = type(member).__name__
    if context is not None:
        if context not in CONTEXTS:
            raise KeyError(f"no label context {context!r}")
        special = CONTEXTS[context].get(name, {}).get(member.value)
        if special is not None:
            return ptr(context, special)
    return tr(LABELS[name][member.value])


def labels(vocabulary: type[StrEnum], context: str | None = None) -> dict[StrEnum, str]:
    """Every member of ``vocabulary`` with its label, in the vocabulary's order."""
    return {m: label(m, context) for m in vocabulary}


def label_sql(vocabulary: type[StrEnum], expr: str, context: str | None = None) -> str:
    """A DuckDB expression that shows ``expr`` (a column holding members' text) as their labels; any
    other text stays as it is."""

    def literal(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    cases = " ".join(
        f"WHEN {literal(m.value)} THEN {literal(t)}" for m, t in labels(vocabulary, context).items()
    )
    return f"CASE {expr} {cases} ELSE {expr} END"
