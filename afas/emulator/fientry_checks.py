"""FiEntries POST validation: the FiEntryPar header, every line and the entry as a whole.

``check_entry`` refuses an entry the way Profit does, before anything is written, and hands the
writer (afas/emulator/fientries.py) the checked lines. Choices of our own (UNCONFIRMED):

* Each line's ``EnDa`` must fall in an existing, open period of the administration; the header's
  Year/Peri must exist and be open. (A newer OASContent revision of fientries-post.md says the
  voucher date ``BpDa`` decides the period; the official example "Sales Date Mismatch" has a BpDa
  in 2012, so BpDa is not checked.)
* The duplicate-creditor-invoice check applies in purchase journals (journal type ``I``) only:
  cash, bank and memorial entries quote the invoice number of the item they pay or match.
* FiDimEntries rows without amounts carry the line's full amount; the rows must add up to the
  line's debit and credit.
* An account with allocation assignments on an axis takes only the assigned codes of that axis
  (unless the header's ``AdDa`` creates the assignment); an account without assignments on an
  axis takes any code of it. FiPrjEntries and FiTransEntries are validated and accepted but not
  stored (projects and deferrals are not modelled).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from afas.emulator.envelope import ParsedElement
from afas.emulator.messages import money
from afas.emulator.update_context import CENT, SUB_LEDGERS, ZERO, Ctx, as_date, dmy, exists, insert_row

__all__ = ["MAX_ENTRY_LINES", "Alloc", "CheckedEntry", "Line", "check_entry", "unit_of"]

MAX_ENTRY_LINES = 1000

Alloc = tuple[list[str | None], Decimal, Decimal]  # (DiC1..DiC5, debit, credit)


@dataclass
class Line:
    """One checked FiEntries line, as it will be stored."""

    seq: int
    va_as: int
    ac_nr: str
    account_no: str
    debit: Decimal
    credit: Decimal
    entry_date: date
    voucher_date: date | None
    voucher_no: str | None
    invoice_id: str | None
    description: str | None
    vat_code: str | None
    due_date: date | None
    currency_id: str | None
    debit_cur: Decimal | None
    credit_cur: Decimal | None
    pay_con: str | None
    allocs: list[Alloc]


@dataclass
class CheckedEntry:
    """A valid FiEntryPar element: its header values and lines."""

    unit: int
    year: int
    period: int
    journal: str
    lines: list[Line]


def unit_of(ctx: Ctx, given: int | None) -> int:
    """The administration of a request: the given one if the token sees it, else the lowest visible one."""
    units = {r[0] for r in ctx.all("SELECT unit FROM administration")} & set(ctx.visible_units)
    if given is None:
        if not units:
            raise ctx.required("Administration")
        return min(units)
    if given not in units:
        raise ctx.not_exist("Administration")
    return given


def _amount(ctx: Ctx, el: ParsedElement, field_id: str, label: str) -> Decimal | None:
    """A money field, at most 2 decimals (the store keeps DECIMAL(18,2))."""
    value = el.fields.get(field_id)
    if value is None:
        return None
    if value != value.quantize(CENT):
        raise ctx.fail("bad_value", value=value, label=label)
    return value.quantize(CENT)


def _debit_credit(ctx: Ctx, el: ParsedElement) -> tuple[Decimal | None, Decimal | None]:
    """The element's AmDe and AmCr (None when not given)."""
    return _amount(ctx, el, "AmDe", "Amount debit"), _amount(ctx, el, "AmCr", "Amount credit")


def _periods(ctx: Ctx, unit: int) -> list[tuple[int, int, date, date, bool]]:
    return ctx.cached(
        ("periods", unit),
        lambda: ctx.all(
            "SELECT year, period, date_from, date_to, blocked FROM period WHERE unit = ? ORDER BY date_from",
            [unit],
        ),
    )


def _account(ctx: Ctx, nr: str) -> tuple[Any, ...] | None:
    return ctx.cached(
        ("account", nr),
        lambda: ctx.one(
            "SELECT blocked, vat_allowed, to_project, dim_ax1, dim_ax2, dim_ax3, dim_ax4, dim_ax5 "
            "FROM account WHERE account = ?",
            [nr],
        ),
    )


def _relation_row(ctx: Ctx, va_as: int, nr: str) -> tuple[Any, ...] | None:
    ledger = SUB_LEDGERS[va_as]
    sql = f"SELECT {ledger.flag_col}, collect_account, pay_con FROM {ledger.table} WHERE {ledger.id_col} = ?"
    return ctx.cached(("relation", va_as, nr), lambda: ctx.one(sql, [nr]))


def _axes(ctx: Ctx) -> dict[int, tuple[str, bool]]:
    return ctx.cached(
        ("axes",),
        lambda: {
            r[0]: (r[1], bool(r[2]))
            for r in ctx.all("SELECT ax_id, description, active FROM allocation_axis")
        },
    )


def _check_alloc_code(ctx: Ctx, axis: int, code: str, create: bool) -> None:
    axes = _axes(ctx)
    label = f"Exception axis code {axis}"
    if axis not in axes or not axes[axis][1]:
        raise ctx.not_exist(label)
    row = ctx.cached(
        ("alloc", axis, code),
        lambda: ctx.one("SELECT blocked FROM allocation_code WHERE ax_id = ? AND code = ?", [axis, code]),
    )
    if row is None:
        if not create:
            raise ctx.not_exist(label)
        insert_row(
            ctx,
            "allocation_code",
            {"ax_id": axis, "code": code, "description": code, "created": ctx.now, "modified": ctx.now},
        )
        ctx.cache[("alloc", axis, code)] = (False,)
    elif row[0]:
        raise ctx.fail("alloc_code_blocked", code=code, axis=axes[axis][0])


def _line_account(ctx: Ctx, va_as: int, ac_nr: str) -> tuple[tuple[Any, ...] | None, str, str | None]:
    """(ledger account row or None, the ledger account the line lands on, relation's payment condition)."""
    if va_as == 1:
        account = _account(ctx, ac_nr)
        if account is None:
            raise ctx.not_exist("Account Number")
        if account[0]:
            raise ctx.fail("account_blocked", account=ac_nr)
        return account, ac_nr, None
    rel = _relation_row(ctx, va_as, ac_nr)
    if rel is None:
        raise ctx.not_exist("Account Number")
    if not rel[0]:
        raise ctx.fail("relation_fk")
    return None, rel[1] or SUB_LEDGERS[va_as].default_collect, rel[2]


def _check_allocs(
    ctx: Ctx,
    seq: int,
    ln: ParsedElement,
    account: tuple[Any, ...] | None,
    ac_nr: str,
    debit: Decimal,
    credit: Decimal,
    add_codes: bool,
) -> list[Alloc]:
    """The line's FiDimEntries rows, validated (codes, required axes, amounts adding up)."""
    allocs: list[Alloc] = []
    for dim in ln.child("FiDimEntries"):
        codes: list[str | None] = []
        for axis in range(1, 6):
            code = dim.fields.get(f"DiC{axis}")
            code = None if code is None or not str(code).strip() else str(code).strip()
            if code is not None:
                _check_alloc_code(ctx, axis, code, add_codes)
            codes.append(code)
        d_de, d_cr = _debit_credit(ctx, dim)
        if d_de is None and d_cr is None:  # a row without amounts carries the full line amount
            d_de, d_cr = debit, credit
        allocs.append((codes, d_de or ZERO, d_cr or ZERO))
    if account is not None:
        axes = _axes(ctx)
        for axis in range(1, 6):
            if account[2 + axis] != "B" or axis not in axes or not axes[axis][1]:
                continue
            if not allocs or any(codes[axis - 1] is None for codes, _, _ in allocs):
                raise ctx.fail("alloc_required", axis=axes[axis][0], account=ac_nr)
    if allocs:
        a_de = sum((a[1] for a in allocs), ZERO)
        a_cr = sum((a[2] for a in allocs), ZERO)
        if a_de != debit or a_cr != credit:
            raise ctx.fail(
                "alloc_sum", seq=seq, a_de=money(a_de), a_cr=money(a_cr), de=money(debit), cr=money(credit)
            )
    return allocs


def _assigned(ctx: Ctx, unit: int, account: str, axis: int) -> frozenset[str]:
    """The codes of ``axis`` assigned to ``account`` in ``unit`` (empty: no assignments)."""
    return ctx.cached(
        ("assigned", unit, account, axis),
        lambda: frozenset(
            r[0]
            for r in ctx.all(
                "SELECT code FROM allocation_assignment WHERE unit = ? AND account = ? AND ax_id = ?",
                [unit, account, axis],
            )
        ),
    )


def _check_line(
    ctx: Ctx, unit: int, seq: int, ln: ParsedElement, add_codes: bool, add_assignments: bool = False
) -> Line:
    f = ln.fields
    va_as_text = f.get("VaAs")
    if va_as_text is None:
        raise ctx.required("Account feature")
    if str(va_as_text).strip() not in ("1", "2", "3"):
        raise ctx.not_exist("Account feature")
    va_as = int(str(va_as_text).strip())
    ac_nr = f.get("AcNr")
    if ac_nr is None or not str(ac_nr).strip():
        raise ctx.required("Account Number")
    ac_nr = str(ac_nr).strip()
    account, account_no, pay_con = _line_account(ctx, va_as, ac_nr)

    entry_date = as_date(f.get("EnDa"))
    if entry_date is None:
        raise ctx.required("Date entry")
    if as_date(f.get("BpDa")) is None:  # mandatory in FiEntries' metainfo and schema
        raise ctx.required("Voucher date")
    period = next((p for p in _periods(ctx, unit) if p[2] <= entry_date <= p[3]), None)
    if period is None:
        raise ctx.fail("date_no_period", date=dmy(entry_date))
    if period[4]:
        raise ctx.fail("date_blocked", date=dmy(entry_date))

    vat_code = f.get("VaId")
    if vat_code is not None:
        vat = ctx.cached(
            ("vat", vat_code), lambda: ctx.one("SELECT blocked FROM vat_code WHERE vat_code = ?", [vat_code])
        )
        if vat is None or vat[0]:
            raise ctx.fail("vat_fk")
        if account is not None and not account[1]:
            raise ctx.fail("vat_not_allowed", account=ac_nr)
    currency = f.get("CuId")
    if currency is not None and not exists(ctx, "currency", "currency_id", currency):
        raise ctx.not_exist("Currency")
    if f.get("PaCd") is not None:
        if not exists(ctx, "payment_condition", "code", f["PaCd"]):
            raise ctx.not_exist("Payment condition")
        pay_con = f["PaCd"]

    de, cr = _debit_credit(ctx, ln)
    debit, credit = de or ZERO, cr or ZERO
    allocs = _check_allocs(ctx, seq, ln, account, ac_nr, debit, credit, add_codes)
    if account is not None and not add_assignments:
        axes = _axes(ctx)
        for codes, _, _ in allocs:
            for axis, code in enumerate(codes, start=1):
                assigned = _assigned(ctx, unit, ac_nr, axis) if code is not None else frozenset()
                if assigned and code not in assigned:
                    axis_name = axes[axis][0].lower()
                    raise ctx.fail("no_assignment", axis=axis_name, code=code, account=ac_nr)

    # Projects (FiPrjEntries) and deferrals (FiTransEntries): validated, not stored
    projects = ln.child("FiPrjEntries")
    if account is not None and account[2] in ("V", "I") and not projects:
        raise ctx.fail("project_required", account=ac_nr)
    for prj in projects:
        for fid, label in (("PrId", "Project"), ("ItCd", "Itemcode")):
            if prj.fields.get(fid) is None:
                raise ctx.required(label)
    for trans in ln.child("FiTransEntries"):
        for fid, label in (
            ("YeSt", "Financial year from"),
            ("PeSt", "Period from"),
            ("YeEn", "Financial year up to incl."),
            ("PeEn", "Period up to and incl"),
        ):
            if trans.fields.get(fid) is None:
                raise ctx.required(label)

    return Line(
        seq=seq,
        va_as=va_as,
        ac_nr=ac_nr,
        account_no=account_no,
        debit=debit,
        credit=credit,
        entry_date=entry_date,
        voucher_date=as_date(f.get("BpDa")),
        voucher_no=f.get("BpNr"),
        invoice_id=f.get("InId"),
        description=f.get("Ds"),
        vat_code=vat_code,
        due_date=as_date(f.get("DaEx")),
        currency_id=currency,
        debit_cur=_amount(ctx, ln, "AmDc", "Debit currency amount"),
        credit_cur=_amount(ctx, ln, "AmCc", "Credit currency amount"),
        pay_con=pay_con,
        allocs=allocs,
    )


def _check_header(ctx: Ctx, h: dict[str, Any]) -> tuple[int, int, int, str, str]:
    """(unit, year, period, journal, journal type) of a valid FiEntryPar header."""
    unit = unit_of(ctx, h.get("UnId"))
    year, peri, journal = h.get("Year"), h.get("Peri"), h.get("JoCo")
    if year is None:
        raise ctx.required("Financial year")
    if peri is None:
        raise ctx.required("Period")
    if journal is None:
        raise ctx.required("Journal")
    prow = ctx.one(
        "SELECT blocked FROM period WHERE unit = ? AND year = ? AND period = ?", [unit, year, peri]
    )
    if prow is None:
        raise ctx.not_exist("Period")
    if prow[0]:
        raise ctx.fail("period_blocked", period=peri, year=year)
    jrow = ctx.one(
        "SELECT journal_type, blocked FROM journal WHERE unit = ? AND journal_id = ?", [unit, journal]
    )
    if jrow is None:
        raise ctx.not_exist("Journal")
    if jrow[1]:
        raise ctx.fail("journal_blocked", journal=journal)
    return unit, year, peri, journal, jrow[0]


def check_entry(ctx: Ctx, el: ParsedElement) -> CheckedEntry:
    """The FiEntryPar element's header and lines, checked (raises the first error Profit would report).

    With ``AdDc`` unknown allocation codes of active axes are created on the way.
    """
    h = el.fields
    unit, year, peri, journal, journal_type = _check_header(ctx, h)
    raw_lines = el.child("FiEntries")
    if not raw_lines:
        raise ctx.fail("no_lines")
    if len(raw_lines) > MAX_ENTRY_LINES:
        raise ctx.fail("too_many_lines", count=len(raw_lines))
    add_codes = bool(h.get("AdDc"))
    add_assignments = bool(h.get("AdDa"))
    lines = [
        _check_line(ctx, unit, seq, ln, add_codes, add_assignments)
        for seq, ln in enumerate(raw_lines, start=1)
    ]

    total_de = sum((ln.debit for ln in lines), ZERO)
    total_cr = sum((ln.credit for ln in lines), ZERO)
    if total_de != total_cr:
        raise ctx.fail("not_balanced", debit=money(total_de), credit=money(total_cr))

    if journal_type == "I":  # purchase journal: the entry books a new purchase invoice
        for ac_nr, invoice in sorted(
            {(ln.ac_nr, ln.invoice_id) for ln in lines if ln.va_as == 3 and ln.invoice_id}
        ):
            if (
                ctx.one(
                    "SELECT 1 FROM entry_line WHERE unit = ? AND va_as = 3 AND ac_nr = ? "
                    "AND invoice_id = ? LIMIT 1",
                    [unit, ac_nr, invoice],
                )
                is not None
            ):
                raise ctx.fail("invoice_used", invoice=invoice, creditor=ac_nr)
    return CheckedEntry(unit, year, peri, journal, lines)
