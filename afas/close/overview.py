"""The close of one administration and period: a row per balance-sheet account with AFAS's balance,
its evidence, the reconciling items, the difference, the status and who signed what.

Reading the overview also reopens what AFAS changed: an account-period that was prepared or reviewed
while AFAS's balance was X, and whose balance after a later sync is Y, loses its sign-offs and shows
as reopened, with the change and the journal lines created or changed in AFAS since (AFAS's
GetConnectors do not say who changed them; the lines' dates and numbers do).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import duckdb

from afas.catalogue import label
from afas.close.balances import (
    AccountBalance,
    ClosePeriod,
    account_balances,
    changed_lines,
    close_period,
    periods_before,
)
from afas.close.bankitems import BankMatching, bank_matching
from afas.close.booking import settle_booked
from afas.close.evidence import Evidence, Setting, default_kind, documented, evidence_for, settings
from afas.close.items import ReconcilingItem, open_items, record_event
from afas.close.schema import CloseEvent, CloseStatus, EvidenceKind, ensure_close_schema
from afas.errors import InputError
from afas.i18n import date, number, tr
from afas.profit.values import SHOWN_ROUNDING, wall_time
from afas.warehouse.db import transaction
from afas.warehouse.explore import has_table

__all__ = [
    "AccountClose",
    "CloseOverview",
    "Review",
    "SignOff",
    "close_overview",
    "open_difference_history",
    "recheck_signed",
]


@dataclass(frozen=True)
class Review:
    """One person's review of an account-period's close."""

    reviewer: str  # their signature: the typed name, or 'Name <e-mail>' signed in
    issuer: str | None  # their identity (afas.access.User): LOCAL_ISSUER for a typed name;
    subject: str | None  # None for a review recorded before identities were kept
    reviewed: dt.datetime | None

    @property
    def identity(self) -> tuple[str, str] | None:
        return (self.issuer, self.subject) if self.issuer and self.subject else None


@dataclass(frozen=True)
class SignOff:
    prepared_by: str | None
    prepared: dt.datetime | None
    reviewed_by: str | None  # once every review it needs is in: all reviewers, 'Bert <…>, Carla <…>'
    reviewed: dt.datetime | None  # when the last of them reviewed it (the account is then locked)
    afas_balance: Decimal | None
    reopened: dt.datetime | None
    reopened_from: Decimal | None
    reopened_to: Decimal | None
    reopened_why: str | None
    prepared_identity: tuple[str, str] | None = None  # (issuer, subject); None: recorded before them
    reviews: tuple[Review, ...] = ()  # the reviews in so far, first first
    reviews_needed: int = 1  # 1; 2 signed in above the four-eyes threshold (afas.access)

    @property
    def reviewers(self) -> tuple[str, ...]:
        """The signatures of those who reviewed it so far (all of them once it is reviewed)."""
        return tuple(r.reviewer for r in self.reviews)

    @property
    def reviews_missing(self) -> int:
        return 0 if self.reviewed else max(self.reviews_needed - len(self.reviews), 0)

    @property
    def partly_reviewed(self) -> bool:
        """Prepared, with some but not all of the reviews it needs (1 of 2)."""
        return bool(self.prepared and not self.reviewed and self.reviews)

    def review_progress(self) -> str | None:
        """'1 of 2 reviews (Bert Jansen <bert@…>)' while a preparation has some of its reviews; else None."""
        if not self.partly_reviewed:
            return None
        return tr("{given} of {needed} reviews ({reviewers})").format(
            given=len(self.reviews), needed=self.reviews_needed, reviewers=", ".join(self.reviewers)
        )

    def reviewed_text(self) -> str:
        """Who reviewed it, for a 'Reviewed by' column: all reviewers once reviewed; while it waits for
        the second, the first with '(1 of 2)'; else empty."""
        if self.reviewed:
            return self.reviewed_by or ", ".join(self.reviewers)
        if self.partly_reviewed:
            return tr("{reviewers} ({given} of {needed})").format(
                reviewers=", ".join(self.reviewers), given=len(self.reviews), needed=self.reviews_needed
            )
        return ""


@dataclass(frozen=True)
class AccountClose:
    account: str
    description: str
    balance: AccountBalance
    setting: Setting
    evidence: Evidence
    items: tuple[ReconcilingItem, ...]
    status: CloseStatus
    reconciled: CloseStatus  # the status without the sign-offs: what preparing would sign
    signoff: SignOff | None
    bank: BankMatching | None = None  # a bank account's items from the matching of its statement

    @property
    def afas_balance(self) -> Decimal:
        return self.balance.balance

    @property
    def supporting(self) -> Decimal | None:
        return self.evidence.amount

    @property
    def items_total(self) -> Decimal:
        """The reconciling items' sum: those entered, and a bank account's from the matching."""
        entered = sum((item.amount for item in self.items), Decimal("0.00"))
        return entered + (self.bank.total if self.bank is not None else Decimal("0.00"))

    @property
    def has_items(self) -> bool:
        return bool(self.items) or bool(self.bank is not None and self.bank.items)

    @property
    def difference(self) -> Decimal | None:
        """AFAS's balance less the evidence (None without evidence)."""
        if self.evidence.amount is None:
            return None
        return self.afas_balance - self.evidence.amount

    @property
    def unexplained(self) -> Decimal | None:
        """The difference the reconciling items leave (None without evidence)."""
        difference = self.difference
        return None if difference is None else difference - self.items_total

    @property
    def locked(self) -> bool:
        return self.status.signed

    @property
    def reviews_needed(self) -> int:
        """How many people review it: 1, or 2 signed in above the four-eyes threshold (known once it is
        prepared signed in with the configuration, or after its first review)."""
        return self.signoff.reviews_needed if self.signoff is not None else 1

    @property
    def reviewers(self) -> tuple[str, ...]:
        """Who reviewed it so far (a prepared account may have 1 of 2 reviews)."""
        return self.signoff.reviewers if self.signoff is not None else ()

    def review_progress(self) -> str | None:
        """'1 of 2 reviews (Bert Jansen <bert@…>)' while it waits for a second review; else None."""
        return self.signoff.review_progress() if self.signoff is not None else None

    def status_text(self) -> str:
        """The status in words, with the reviews while a second is missing: 'prepared, 1 of 2 reviews'."""
        if self.status == CloseStatus.PREPARED and self.signoff is not None and self.signoff.partly_reviewed:
            s = self.signoff
            return tr("{status}, {given} of {needed} reviews").format(
                status=label(self.status), given=len(s.reviews), needed=s.reviews_needed
            )
        return label(self.status)

    def lock_reason(self) -> str:
        if self.status == CloseStatus.REVIEWED and self.signoff is not None:
            return tr(
                "Account {account} is reviewed for this period by {reviewers} (prepared by {preparer}): "
                "it is locked."
            ).format(
                account=self.account, reviewers=self.signoff.reviewed_by, preparer=self.signoff.prepared_by
            )
        if self.status == CloseStatus.PREPARED and self.signoff is not None:
            progress = self.signoff.review_progress()
            if progress:
                return tr(
                    "Account {account} is prepared for this period by {preparer} and has {progress}; "
                    "withdraw the preparation before changing it."
                ).format(account=self.account, preparer=self.signoff.prepared_by, progress=progress)
            return tr(
                "Account {account} is prepared for this period by {preparer}; withdraw the preparation "
                "before changing it."
            ).format(account=self.account, preparer=self.signoff.prepared_by)
        return ""


@dataclass(frozen=True)
class CloseOverview:
    period: ClosePeriod
    accounts: tuple[AccountClose, ...]
    reopened_now: tuple[str, ...] = field(default=())  # accounts this reading reopened

    @property
    def total(self) -> int:
        return len(self.accounts)

    @property
    def done(self) -> int:
        return sum(1 for a in self.accounts if a.status.done)

    def counts(self) -> dict[CloseStatus, int]:
        found = {status: 0 for status in CloseStatus}
        for a in self.accounts:
            found[a.status] += 1
        return found

    def summary(self) -> str:
        return tr("{done} of {total} accounts reconciled").format(
            done=number(self.done), total=number(self.total)
        )

    def account(self, account: str) -> AccountClose:
        for a in self.accounts:
            if a.account == account:
                return a
        raise InputError(
            tr("Account {account} is not a balance-sheet account of the chart in AFAS.").format(
                account=account
            ),
            tr("Pick an account from the list on the Close page."),
        )

    def open_difference(self) -> Decimal:
        """The sum of the unexplained differences, in absolute amounts."""
        return sum(
            (abs(a.unexplained) for a in self.accounts if a.unexplained is not None and not a.status.done),
            Decimal("0.00"),
        )


def _signoffs(con: duckdb.DuckDBPyConnection, period: ClosePeriod) -> dict[str, SignOff]:
    rows = con.execute(
        "SELECT account, prepared_by, prepared, reviewed_by, reviewed, afas_balance, reopened, "
        "reopened_from, reopened_to, reopened_why, prepared_issuer, prepared_subject, reviews_needed "
        "FROM close_signoffs WHERE unit = ? AND year = ? AND period = ?",
        [period.unit, period.year, period.period],
    ).fetchall()
    reviews: dict[str, list[Review]] = {}
    for account, reviewer, issuer, subject, at in con.execute(
        "SELECT account, reviewer, issuer, subject, reviewed FROM close_reviews "
        "WHERE unit = ? AND year = ? AND period = ? ORDER BY account, position",
        [period.unit, period.year, period.period],
    ).fetchall():
        reviews.setdefault(account, []).append(Review(reviewer, issuer, subject, at))
    found = {}
    for row in rows:
        account, issuer, subject, needed = row[0], row[10], row[11], row[12]
        mine = reviews.get(account, [])
        if not mine and row[3]:  # reviewed before the reviews were kept one by one
            mine = [Review(row[3], None, None, row[4])]
        found[account] = SignOff(
            *row[1:10],
            prepared_identity=(issuer, subject) if issuer and subject else None,
            reviews=tuple(mine),
            reviews_needed=int(needed) if needed else 1,
        )
    return found


def _reconciled(
    balance: AccountBalance, evidence: Evidence, items: list[ReconcilingItem], bank: BankMatching | None
) -> CloseStatus:
    listed = bool(items) or bool(bank is not None and bank.items)
    quiet = not balance.balance and not balance.moved and not listed
    if quiet and not evidence.amount:  # nothing in AFAS, and no evidence of anything either
        return CloseStatus.NO_ACTIVITY
    if evidence.amount is None:
        return CloseStatus.NOT_STARTED
    difference = balance.balance - evidence.amount
    if not difference and not listed:
        return CloseStatus.RECONCILED
    total = sum((item.amount for item in items), Decimal("0.00")) + (bank.total if bank else Decimal("0.00"))
    if difference == total:
        return CloseStatus.EXPLAINED
    return CloseStatus.UNEXPLAINED


def _reopen(
    con: duckdb.DuckDBPyConnection, period: ClosePeriod, balance: AccountBalance, signed: SignOff
) -> SignOff:
    """Withdraw the sign-offs of an account whose balance AFAS changed since, and say what changed."""
    signed_at = signed.reviewed or signed.prepared  # ours, in UTC; AFAS's Modified is Amsterdam time,
    # shown to the second: a line shown in the second of the sign-off may have changed after it
    since = wall_time(signed_at) - 2 * SHOWN_ROUNDING if signed_at is not None else None
    lines = changed_lines(con, period.unit, balance.account, period.end)
    newer = [line for line in lines if since is not None and line[5] is not None and line[5] >= since]
    shown = newer or lines[:5]
    no_voucher = tr("no voucher")
    listed = "; ".join(
        tr("entry {entry} of {date} ({voucher}) {amount} {description}")
        .format(
            entry=entry,
            date=date(day),
            voucher=voucher or no_voucher,
            amount=number(amount, 2),
            description=description or "",
        )
        .strip()
        for entry, day, voucher, description, amount, _when in shown[:5]
    )
    who = ", ".join(x for x in (signed.prepared_by, *signed.reviewers) if x)
    why = (
        tr(
            "AFAS's balance changed from {before} to {after} after it was signed by {who}; lines changed "
            "in AFAS since: {lines}"
        )
        if newer
        else tr(
            "AFAS's balance changed from {before} to {after} after it was signed by {who}; "
            "latest lines: {lines}"
        )
    ).format(before=number(signed.afas_balance, 2), after=number(balance.balance, 2), who=who, lines=listed)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with transaction(con):
        done = con.execute(
            "UPDATE close_signoffs SET prepared_by = NULL, prepared = NULL, reviewed_by = NULL, "
            "reviewed = NULL, prepared_issuer = NULL, prepared_subject = NULL, reviews_needed = NULL, "
            "reviews = 0, reopened = ?, reopened_from = ?, reopened_to = ?, reopened_why = ? "
            "WHERE unit = ? AND year = ? AND period = ? AND account = ? AND afas_balance = ? "
            "AND (prepared IS NOT NULL OR reviewed IS NOT NULL) RETURNING account",
            [
                now,
                signed.afas_balance,
                balance.balance,
                why,
                *period.key,
                balance.account,
                signed.afas_balance,
            ],
        ).fetchall()
        if done:  # another session reading at the same moment reopened it already: one event
            # the reviews of the preparation go with it (also one of two, still waiting for the other)
            con.execute(
                "DELETE FROM close_reviews WHERE unit = ? AND year = ? AND period = ? AND account = ?",
                [*period.key, balance.account],
            )
            record_event(con, period, balance.account, CloseEvent.REOPENED, "AFAS", why)
    return SignOff(
        None, None, None, None, signed.afas_balance, now, signed.afas_balance, balance.balance, why
    )


def close_overview(con: duckdb.DuckDBPyConnection, unit: int, year: int, period: int) -> CloseOverview:
    """Every balance-sheet account's close for the period (reopening what AFAS changed since)."""
    ensure_close_schema(con)
    found = close_period(con, unit, year, period)
    balances = account_balances(con, found)
    chosen = settings(con, unit)
    signed = _signoffs(con, found)
    settle_booked(con, unit)  # items whose correction a sync brought in are cleared first
    items = open_items(con, found)
    debtor_accounts = [b for b in balances if b.collect_type == "D"]
    known = documented(con, found)
    by_account: dict[str, list[ReconcilingItem]] = {}
    for item in items:
        by_account.setdefault(item.account, []).append(item)
    rows: list[AccountClose] = []
    reopened: list[str] = []
    for balance in balances:
        if balance.account in chosen:
            kind, iban = chosen[balance.account]
            setting = Setting(kind, iban, True)
        else:
            setting = default_kind(balance)
        evidence = evidence_for(
            con, found, balance, setting, only_debtors_account=len(debtor_accounts) == 1, known=known
        )
        mine = by_account.get(balance.account, [])
        bank = (
            bank_matching(con, found, balance.account, setting.iban)
            if setting.kind == EvidenceKind.BANK_STATEMENT and setting.iban and evidence.amount is not None
            else None
        )
        reconciled = _reconciled(balance, evidence, mine, bank)
        signoff = signed.get(balance.account)
        if (
            signoff is not None
            and (signoff.prepared or signoff.reviewed)
            and signoff.afas_balance != balance.balance
        ):
            signoff = _reopen(con, found, balance, signoff)
            reopened.append(balance.account)
        if signoff is not None and signoff.reviewed:
            status = CloseStatus.REVIEWED
        elif signoff is not None and signoff.prepared:
            status = CloseStatus.PREPARED
        elif signoff is not None and signoff.reopened:
            status = CloseStatus.REOPENED
        else:
            status = reconciled
        rows.append(
            AccountClose(
                balance.account,
                balance.description,
                balance,
                setting,
                evidence,
                tuple(mine),
                status,
                reconciled,
                signoff,
                bank,
            )
        )
    return CloseOverview(found, tuple(rows), tuple(reopened))


def open_difference_history(
    con: duckdb.DuckDBPyConnection, unit: int, year: int, period: int, count: int = 6
) -> list[tuple[str, Decimal, int]]:
    """For the ``count`` periods up to this one: (period label, open difference, accounts not yet
    reconciled), oldest first."""
    found = close_period(con, unit, year, period)
    history = []
    for earlier in periods_before(con, found, count):
        overview = close_overview(con, unit, earlier.year, earlier.period)
        history.append((earlier.label(), overview.open_difference(), overview.total - overview.done))
    return history


def recheck_signed(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str, str]]:
    """After a sync: reopen every signed account-period whose balance AFAS changed, and clear the items
    whose correction the sync brought in, in every administration; returns (administration, period
    label, account) of those reopened now. Only periods with a sign-off are read."""
    if not has_table(con, "close_signoffs") or not has_table(con, "Profit_Period_balance"):
        return []
    periods = con.execute(
        "SELECT DISTINCT unit, year, period FROM close_signoffs WHERE prepared IS NOT NULL "
        "OR reviewed IS NOT NULL ORDER BY unit, year, period"
    ).fetchall()
    units = {int(u) for (u,) in con.execute("SELECT DISTINCT unit FROM close_items").fetchall()}
    reopened = []
    for unit, year, period in periods:
        try:
            overview = close_overview(con, int(unit), int(year), int(period))
        except InputError:  # the period is no longer in AFAS's periods: nothing to compare
            continue
        units.discard(int(unit))
        reopened += [(int(unit), overview.period.label(), a) for a in overview.reopened_now]
    for unit in units:
        settle_booked(con, unit)
    return reopened
