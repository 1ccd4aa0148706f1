"""The emulator's UpdateConnectors: FiEntries, KnSalesRelationOrg/Per, KnPurchaseRelationOrg/Per, KnDimCode.

``apply_update`` validates a request the way Profit does and writes it to the store in ONE
transaction (``Store.write()``): a rejected request changes nothing, even when its body holds
several ``Element``s. What is written shows up in the GetConnectors (afas/emulator/getconnectors.py):
entries in Profit_Transactions(_Allocated), period balances, open items and
Profit_Fin_ChangedEntrydate; relations in Profit_Debtor/Profit_Creditor; allocation codes in
Recon_AllocationCodes.

Messages follow AFAS's published wordings where known (fact sheet §6.3, OAS-fie-post); invented
wordings are marked ``# UNCONFIRMED wording`` and the Dutch twins of English-only documented
messages are UNCONFIRMED as well. Choices of our own (all UNCONFIRMED):

* Several ``Element``s in one POST: ``results.<Root>`` becomes a list with one object per element
  (a single element gives an object, as documented).
* FiEntries: each line's ``EnDa`` must fall in an existing, open period of the administration; the
  header's Year/Peri must exist and be open. (A newer OASContent revision of fientries-post.md
  says the voucher date ``BpDa`` decides the period; the official example "Sales Date Mismatch"
  has a BpDa in 2012, so BpDa is not checked.)
* The duplicate-creditor-invoice check applies in purchase journals (journal type ``I``) only:
  cash, bank and memorial entries quote the invoice number of the item they pay or match.
* ``AuNu`` generates one invoice number per entry (counter ``invoice:<unit>``) when a debtor or
  creditor line has no ``InId``; it is put on every line without ``InId``.
* A debtor/creditor line without ``DaEx`` that opens a new invoice gets voucher date + the
  payment condition's days (line ``PaCd`` or the relation's) as due date.
* FiDimEntries rows without amounts carry the line's full amount; the rows must add up to the
  line's debit and credit. FiPrjEntries and FiTransEntries are validated and accepted but not
  stored (projects and deferrals are not modelled).
* FiEntries DELETE removes every entry matching the key path (EnNo, or InId within the journal);
  an entry whose debtor/creditor invoice has lines in other entries (paid/matched) is refused.
* Relations: MatchOga 0/1/2/3/4/5/6 and MatchPer 0/1/7 (+ 2..6 = create new: person matching on
  name/e-mail/phone/birth date is not modelled) on POST; on PUT the organisation/person must be
  the relation's own (MatchOga/MatchPer 0 with its BcCo, or 9). AutoNum true ignores a given BcCo.
  Given relation and organisation/person fields are kept (merged) in the JSON ``fields`` columns,
  addresses, bank accounts and contacts under their object names; contacts create no parties.
* Responses: POST/PUT of relations and FiEntries POST 201 with ``results`` (values strings);
  KnDimCode POST/PUT 201 without body; DELETE 200 without body. Required fields are checked from
  an explicit list, not from update_fields' ``mandatory_*`` flags: the OpenAPI ``required`` lists
  name fields AFAS's own examples never send (FiEntries ``EnNo``, relations ``CdDa``, ...).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from afas.emulator.envelope import ParsedElement, parse_body, parse_key_path
from afas.emulator.errors import (
    ERR_NOT_AUTHORISED,
    ERR_VALIDATION,
    ERR_VALUE_DOES_NOT_EXIST,
    ProfitError,
    msg,
)
from afas.emulator.update_fields import UPDATE_CONNECTORS, UConnector

if TYPE_CHECKING:
    import duckdb

    from afas.emulator.store import Store

__all__ = ["SUPPORTED_CONNECTORS", "MAX_ENTRY_LINES", "apply_update"]

SUPPORTED_CONNECTORS: tuple[str, ...] = (
    "FiEntries",
    "KnSalesRelationOrg",
    "KnSalesRelationPer",
    "KnPurchaseRelationOrg",
    "KnPurchaseRelationPer",
    "KnDimCode",
)
MAX_ENTRY_LINES = 1000
_CENT = Decimal("0.01")
_ZERO = Decimal("0")

# Dutch labels of the fields named in messages (English labels come from update_fields or AFAS's
# documented messages). The Dutch ones are UNCONFIRMED (the Dutch OpenAPI files are not at hand).
_NL_LABELS = {
    "Account Number": "Rekeningnummer",
    "Account feature": "Kenmerk rekening",
    "Administration": "Administratie",
    "Allocation axis": "Verbijzonderingsas",
    "Allocation code": "Verbijzonderingscode",
    "Country": "Land",
    "Country of bank": "Land bank",
    "Creditor number": "Nummer crediteur",
    "Currency": "Valuta",
    "Date entry": "Datum boeking",
    "Debtor number": "Nummer debiteur",
    "Description": "Omschrijving",
    "Financial year": "Boekjaar",
    "Financial year from": "Boekjaar van",
    "Financial year up to incl.": "Boekjaar tot en met",
    "Invoice number": "Factuurnummer",
    "Itemcode": "Itemcode",
    "Journal": "Dagboek",
    "Journal entry number": "Boekstuknummer",
    "Last name": "Achternaam",
    "Name": "Naam",
    "Number": "Nummer",
    "Payment condition": "Betalingsvoorwaarde",
    "Period": "Periode",
    "Period from": "Periode van",
    "Period up to and incl": "Periode tot en met",
    "Project": "Project",
    "Summary account": "Verzamelrekening",
    **{f"Exception axis code {n}": f"Verbijzonderingscode as {n}" for n in range(1, 6)},
}

# The messages, (English, Dutch), as str.format templates. Where AFAS's English text is documented
# (fact sheet §6.3: OAS-fie-post, OAS-trb, vendors' observations) only the Dutch twin is
# UNCONFIRMED; the others are wholly UNCONFIRMED and marked so.
_MESSAGES: dict[str, tuple[str, str]] = {
    # English documented by AFAS (OAS-trb / OAS-fie-post)
    # UNCONFIRMED wording (Dutch)
    "not_exist": (
        "The entered value for '{label}' does not exist.",
        "De ingevoerde waarde voor '{nl_label}' bestaat niet.",
    ),
    # UNCONFIRMED wording (Dutch)
    "required": ("Enter a value for '{label}'.", "Vul een waarde in voor '{nl_label}'."),
    # UNCONFIRMED wording (Dutch)
    "date_blocked": (
        "Date '{date}' belongs to a blocked period",
        "Datum '{date}' valt in een geblokkeerde periode",
    ),
    # UNCONFIRMED wording (Dutch)
    "period_blocked": (
        "For this administration, period {period} of the year {year} is blocked.",
        "Voor deze administratie is periode {period} van het jaar {year} geblokkeerd.",
    ),
    # UNCONFIRMED wording (Dutch)
    "alloc_required": (
        "Allocation code for axis '{axis}' must be filled for account {account}",
        "Verbijzonderingscode voor as '{axis}' moet gevuld zijn voor rekening {account}",
    ),
    # English observed by vendors (Spend Cloud, SRXP, Coachview; fact sheet §6.3)
    # UNCONFIRMED wording (Dutch)
    "vat_fk": (
        "(AntaObject) The foreignkey does not exist in the database. FieldId=Btw-code, ForeignkeyId=KnVat",
        "(AntaObject) De foreignkey bestaat niet in de database. FieldId=Btw-code, ForeignkeyId=KnVat",
    ),
    # UNCONFIRMED wording (Dutch)
    "relation_fk": (
        "(AntaObject) The foreignkey does not exist in the database. FieldId=Rekeningnummer, "
        "ForeignkeyId=KnAnt1",
        "(AntaObject) De foreignkey bestaat niet in de database. FieldId=Rekeningnummer, ForeignkeyId=KnAnt1",
    ),
    # UNCONFIRMED wording (Dutch)
    "vat_not_allowed": (
        "(AFASFiEntry) VAT is not allowed for account {account}",
        "(AFASFiEntry) Btw is niet toegestaan voor rekening {account}",
    ),
    # UNCONFIRMED wording (Dutch)
    "invoice_used": (
        "General message: Invoice number {invoice} is already used in finance for Creditor {creditor}.",
        "General message: Factuurnummer {invoice} is al gebruikt in financieel voor crediteur {creditor}.",
    ),
    # Invented: AFAS documents the rule, not the text
    # UNCONFIRMED wording
    "not_supported_verb": (
        "The action '{verb}' is not supported for UpdateConnector '{connector}'.",
        "De actie '{verb}' wordt niet ondersteund voor UpdateConnector '{connector}'.",
    ),
    # UNCONFIRMED wording
    "bad_key_path": (
        "The key path '{path}' is not valid for UpdateConnector '{connector}'.",
        "Het sleutelpad '{path}' is ongeldig voor UpdateConnector '{connector}'.",
    ),
    # UNCONFIRMED wording
    "bad_value": (
        "The value '{value}' is not valid for '{label}'.",
        "De waarde '{value}' is ongeldig voor '{label}'.",
    ),
    # UNCONFIRMED wording
    "not_balanced": (
        "The entry is not in balance. Debit {debit}, credit {credit}.",
        "De boeking is niet in balans. Debet {debit_nl}, credit {credit_nl}.",
    ),
    # UNCONFIRMED wording
    "no_lines": ("The entry has no lines.", "De boeking heeft geen regels."),
    # UNCONFIRMED wording
    "too_many_lines": (
        "An entry may hold at most 1,000 lines; this entry has {count} lines.",
        "Een boeking mag maximaal 1.000 regels bevatten; deze boeking heeft {count} regels.",
    ),
    # UNCONFIRMED wording
    "date_no_period": (
        "Date '{date}' does not belong to an existing period",
        "Datum '{date}' valt niet in een bestaande periode",
    ),
    # UNCONFIRMED wording
    "journal_blocked": ("Journal {journal} is blocked.", "Dagboek {journal} is geblokkeerd."),
    # UNCONFIRMED wording
    "account_blocked": ("Account {account} is blocked.", "Rekening {account} is geblokkeerd."),
    # UNCONFIRMED wording
    "alloc_code_blocked": (
        "Allocation code '{code}' of axis '{axis}' is blocked.",
        "Verbijzonderingscode '{code}' van as '{axis}' is geblokkeerd.",
    ),
    # UNCONFIRMED wording
    "alloc_sum": (
        "The allocated amounts of line {seq} (debit {a_de}, credit {a_cr}) do not match the line "
        "(debit {de}, credit {cr}).",
        "De verbijzonderde bedragen van regel {seq} (debet {a_de_nl}, credit {a_cr_nl}) komen niet "
        "overeen met de regel (debet {de_nl}, credit {cr_nl}).",
    ),
    # UNCONFIRMED wording
    "project_required": (
        "Project is required for account {account}.",
        "Project is verplicht voor rekening {account}.",
    ),
    # UNCONFIRMED wording
    "entry_reconciled": (
        "Entry {entry} cannot be deleted: invoice {invoice} has been paid or matched (entry {other}).",
        "Boeking {entry} kan niet worden verwijderd: factuur {invoice} is betaald of "
        "afgeletterd (boeking {other}).",
    ),
    # UNCONFIRMED wording
    "relation_exists": ("{noun} {id} already exists.", "{noun_nl} {id} bestaat al."),
    # UNCONFIRMED wording
    "party_exists": ("{noun} {id} already exists.", "{noun_nl} {id} bestaat al."),
    # UNCONFIRMED wording
    "party_required": ("The object '{object}' is required.", "Het object '{object}' is verplicht."),
    # UNCONFIRMED wording
    "match_parent_on_post": (
        "{match} 9 (use parent entity) can only be used to update an existing relation.",
        "{match} 9 (gebruik bovenliggende entiteit) kan alleen worden gebruikt om een "
        "bestaande relatie te wijzigen.",
    ),
    # UNCONFIRMED wording
    "party_not_of_relation": (
        "{noun} {bc_co} does not belong to {relation} {id}.",
        "{noun_nl} {bc_co} hoort niet bij {relation_nl} {id}.",
    ),
    # UNCONFIRMED wording
    "party_match_on_put": (
        "To update {relation} {id}, identify its {object} with {match} 0 and BcCo, or {match} 9.",
        "Identificeer bij het wijzigen van {relation_nl} {id} de {object} met "
        "{match} 0 en BcCo, of {match} 9.",
    ),
    # UNCONFIRMED wording
    "iban_invalid": ("The IBAN number is not valid.", "Het IBAN-nummer is ongeldig."),
    # UNCONFIRMED wording
    "relation_linked": (
        "{noun} {id} cannot be deleted because it has linked data (entries, invoices). "
        "Block the {relation} instead.",
        "{noun_nl} {id} kan niet worden verwijderd, omdat er gegevens aan gekoppeld zijn "
        "(boekingen, facturen). Blokkeer de {relation_nl} in plaats daarvan.",
    ),
    # UNCONFIRMED wording
    "axis_inactive": ("Allocation axis {axis} is not active.", "Verbijzonderingsas {axis} is niet actief."),
    # UNCONFIRMED wording
    "code_exists": (
        "Allocation code '{code}' already exists on allocation axis {axis}.",
        "Verbijzonderingscode '{code}' bestaat al op verbijzonderingsas {axis}.",
    ),
    # UNCONFIRMED wording
    "code_in_use": (
        "Allocation code '{code}' of allocation axis {axis} cannot be deleted because it is "
        "in use (entries or allocation assignments).",
        "Verbijzonderingscode '{code}' van verbijzonderingsas {axis} kan niet worden verwijderd, "
        "omdat deze in gebruik is (boekingen of verbijzonderingstoewijzingen).",
    ),
}


# --------------------------------------------------------------------------------------------
# Context and messages
# --------------------------------------------------------------------------------------------


@dataclass
class _Ctx:
    store: Store
    cur: duckdb.DuckDBPyConnection
    lang: str
    now: datetime
    visible_units: frozenset[int]
    cache: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    def fail(self, key: str, **values: Any) -> ProfitError:
        """The ProfitError of a catalogue message in the request's language."""
        en, nl = _MESSAGES[key]
        if "label" in values:
            values.setdefault("nl_label", _NL_LABELS.get(values["label"], values["label"]))
        number = ERR_VALUE_DOES_NOT_EXIST if key == "not_exist" else ERR_VALIDATION
        return ProfitError(msg(self.lang, en, nl).format(**values), error_number=number)

    def not_exist(self, label: str) -> ProfitError:
        return self.fail("not_exist", label=label)

    def required(self, label: str) -> ProfitError:
        return self.fail("required", label=label)

    def one(self, sql: str, params: Iterable[Any] = ()) -> tuple[Any, ...] | None:
        return self.cur.execute(sql, list(params)).fetchone()

    def all(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        return self.cur.execute(sql, list(params)).fetchall()

    def cached(self, key: tuple[Any, ...], load: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = load()
        return self.cache[key]


def _dmy(d: date) -> str:
    """AFAS's date in messages: d-m-yyyy without leading zeros ('1-11-2024')."""
    return f"{d.day}-{d.month}-{d.year}"


def _en(value: Decimal) -> str:
    return f"{value:.2f}"


def _nl(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _dumps(doc: Any) -> str:
    return json.dumps(doc, default=_jsonable, ensure_ascii=False, sort_keys=True)


def _plain(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: _jsonable(v) for k, v in fields.items()}


def _loads(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        doc = json.loads(text)
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def _next_free(
    ctx: _Ctx,
    counter: str,
    table: str,
    column: str,
    digits: int,
    where: str = "",
    params: tuple[Any, ...] = (),
) -> str:
    """The next number of a counter: it starts after the highest numeric value in use and skips used ones."""
    cond = f"regexp_full_match({column}, '[0-9]{{1,{digits}}}')" + (f" AND {where}" if where else "")
    row = ctx.one(f"SELECT max(TRY_CAST({column} AS BIGINT)) FROM {table} WHERE {cond}", params)
    start = int(row[0]) + 1 if row and row[0] is not None else 1
    exists = f"SELECT 1 FROM {table} WHERE {column} = ?" + (f" AND {where}" if where else "") + " LIMIT 1"
    while True:
        value = str(ctx.store.next_number(ctx.cur, counter, start))
        if ctx.one(exists, [value, *params]) is None:
            return value


def _insert(ctx: _Ctx, table: str, cols: dict[str, Any]) -> None:
    marks = ", ".join("?" for _ in cols)
    ctx.cur.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", list(cols.values()))


def _update(ctx: _Ctx, table: str, cols: dict[str, Any], where: str, params: Iterable[Any]) -> None:
    sets = ", ".join(f"{c} = ?" for c in cols)
    ctx.cur.execute(f"UPDATE {table} SET {sets} WHERE {where}", [*cols.values(), *params])


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def apply_update(
    store: Store,
    connector_id: str,
    method: str,
    body: bytes | None,
    key_path: str | None,
    *,
    visible_units: frozenset[int],
    lang: str,
    now: datetime,
) -> tuple[int, dict[str, Any] | None]:
    """Run one UpdateConnector call; returns (HTTP status, JSON body or None).

    Raises ``ProfitError`` (status 500, or 400 for a body or key path that is no valid request)
    when Profit would refuse the call; nothing is written then.
    """
    cid = next((c for c in SUPPORTED_CONNECTORS if c.lower() == connector_id.lower()), None)
    if cid is None:
        raise ProfitError(
            msg(
                lang,
                "General message: This UpdateConnector is not supported or the user is not authorized.",
                "General message: Deze UpdateConnector wordt niet ondersteund of de gebruiker is niet "
                "geautoriseerd.",
            ),
            error_number=ERR_NOT_AUTHORISED,
        )
    connector = UPDATE_CONNECTORS[cid]
    verb = method.upper()
    if verb not in connector.verbs:
        en, nl = _MESSAGES["not_supported_verb"]
        raise ProfitError(msg(lang, en, nl).format(verb=verb, connector=cid))
    stamp = now.replace(tzinfo=None)
    if verb == "DELETE":
        steps = _key_steps(connector, key_path, lang)
        with store.write() as cur:
            _DELETES[cid](_Ctx(store, cur, lang, stamp, visible_units), steps)
        return 200, None
    elements = parse_body(body, connector, lang=lang)
    results: list[dict[str, str]] = []
    with store.write() as cur:
        ctx = _Ctx(store, cur, lang, stamp, visible_units)
        for el in elements:
            if cid == "FiEntries":
                results.append(_post_entry(ctx, el))
            elif cid == "KnDimCode":
                (_post_dim_code if verb == "POST" else _put_dim_code)(ctx, el)
            elif verb == "POST":
                results.append(_post_relation(ctx, _RELATIONS[cid], el))
            else:
                results.append(_put_relation(ctx, _RELATIONS[cid], el))
    if not results:  # KnDimCode: AFAS's example response is empty
        return 201, None
    return 201, {"results": {connector.root.name: results[0] if len(results) == 1 else results}}


def _key_steps(connector: UConnector, key_path: str | None, lang: str) -> list[tuple[str, dict[str, str]]]:
    en, nl = _MESSAGES["bad_key_path"]
    bad = ProfitError(msg(lang, en, nl).format(path=key_path or "", connector=connector.id), status=400)
    if not key_path:
        raise bad
    try:
        steps = parse_key_path(key_path)
    except ValueError:
        raise bad from None
    expected = [part.lower() for i, part in enumerate((connector.delete_path or "").split("/")) if i % 2 == 0]
    if [obj.lower() for obj, _ in steps] != expected:
        raise bad
    return steps


def _keys(steps: list[tuple[str, dict[str, str]]]) -> dict[str, str]:
    """All key values of a key path, by lower-case key name."""
    out: dict[str, str] = {}
    for _, keys in steps:
        out.update({k.lower(): v for k, v in keys.items()})
    return out


# --------------------------------------------------------------------------------------------
# FiEntries
# --------------------------------------------------------------------------------------------


@dataclass
class _Line:
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
    allocs: list[tuple[list[str | None], Decimal, Decimal]]


def _unit(ctx: _Ctx, given: int | None) -> int:
    units = {r[0] for r in ctx.all("SELECT unit FROM administration")} & set(ctx.visible_units)
    if given is None:
        if not units:
            raise ctx.required("Administration")
        return min(units)
    if given not in units:
        raise ctx.not_exist("Administration")
    return given


def _amount(ctx: _Ctx, el: ParsedElement, field_id: str, label: str) -> Decimal | None:
    """A money field, at most 2 decimals (the store keeps DECIMAL(18,2))."""
    value = el.fields.get(field_id)
    if value is None:
        return None
    if value != value.quantize(_CENT):
        raise ctx.fail("bad_value", value=value, label=label)
    return value.quantize(_CENT)


def _periods(ctx: _Ctx, unit: int) -> list[tuple[int, int, date, date, bool]]:
    return ctx.cached(
        ("periods", unit),
        lambda: ctx.all(
            "SELECT year, period, date_from, date_to, blocked FROM period WHERE unit = ? ORDER BY date_from",
            [unit],
        ),
    )


def _account(ctx: _Ctx, nr: str) -> tuple[Any, ...] | None:
    return ctx.cached(
        ("account", nr),
        lambda: ctx.one(
            "SELECT blocked, vat_allowed, to_project, dim_ax1, dim_ax2, dim_ax3, dim_ax4, dim_ax5 "
            "FROM account WHERE account = ?",
            [nr],
        ),
    )


def _relation_row(ctx: _Ctx, va_as: int, nr: str) -> tuple[Any, ...] | None:
    table, key, flag = (
        ("debtor", "debtor_id", "is_debtor") if va_as == 2 else ("creditor", "creditor_id", "is_creditor")
    )
    return ctx.cached(
        ("relation", va_as, nr),
        lambda: ctx.one(f"SELECT {flag}, collect_account, pay_con FROM {table} WHERE {key} = ?", [nr]),
    )


def _axes(ctx: _Ctx) -> dict[int, tuple[str, bool]]:
    return ctx.cached(
        ("axes",),
        lambda: {
            r[0]: (r[1], bool(r[2]))
            for r in ctx.all("SELECT ax_id, description, active FROM allocation_axis")
        },
    )


def _exists(ctx: _Ctx, table: str, column: str, value: Any) -> bool:
    return bool(
        ctx.cached(
            (table, column, value),
            lambda: ctx.one(f"SELECT 1 FROM {table} WHERE {column} = ?", [value]) is not None,
        )
    )


def _check_alloc_code(ctx: _Ctx, axis: int, code: str, create: bool) -> None:
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
        _insert(
            ctx,
            "allocation_code",
            {"ax_id": axis, "code": code, "description": code, "created": ctx.now, "modified": ctx.now},
        )
        ctx.cache[("alloc", axis, code)] = (False,)
    elif row[0]:
        raise ctx.fail("alloc_code_blocked", code=code, axis=axes[axis][0])


def _line_account(ctx: _Ctx, va_as: int, ac_nr: str) -> tuple[tuple[Any, ...] | None, str, str | None]:
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
    return None, rel[1] or ("1300" if va_as == 2 else "1600"), rel[2]


_Alloc = tuple[list[str | None], Decimal, Decimal]  # (DiC1..DiC5, debit, credit)


def _check_allocs(
    ctx: _Ctx,
    seq: int,
    ln: ParsedElement,
    account: tuple[Any, ...] | None,
    ac_nr: str,
    debit: Decimal,
    credit: Decimal,
    add_codes: bool,
) -> list[_Alloc]:
    """The line's FiDimEntries rows, validated (codes, required axes, amounts adding up)."""
    allocs: list[_Alloc] = []
    for dim in ln.child("FiDimEntries"):
        codes: list[str | None] = []
        for axis in range(1, 6):
            code = dim.fields.get(f"DiC{axis}")
            code = None if code is None or not str(code).strip() else str(code).strip()
            if code is not None:
                _check_alloc_code(ctx, axis, code, add_codes)
            codes.append(code)
        d_de = _amount(ctx, dim, "AmDe", "Amount debit")
        d_cr = _amount(ctx, dim, "AmCr", "Amount credit")
        if d_de is None and d_cr is None:  # a row without amounts carries the full line amount
            d_de, d_cr = debit, credit
        allocs.append((codes, d_de or _ZERO, d_cr or _ZERO))
    if account is not None:
        axes = _axes(ctx)
        for axis in range(1, 6):
            if account[2 + axis] != "B" or axis not in axes or not axes[axis][1]:
                continue
            if not allocs or any(codes[axis - 1] is None for codes, _, _ in allocs):
                raise ctx.fail("alloc_required", axis=axes[axis][0], account=ac_nr)
    if allocs:
        a_de = sum((a[1] for a in allocs), _ZERO)
        a_cr = sum((a[2] for a in allocs), _ZERO)
        if a_de != debit or a_cr != credit:
            raise ctx.fail(
                "alloc_sum",
                seq=seq,
                a_de=_en(a_de),
                a_cr=_en(a_cr),
                de=_en(debit),
                cr=_en(credit),
                a_de_nl=_nl(a_de),
                a_cr_nl=_nl(a_cr),
                de_nl=_nl(debit),
                cr_nl=_nl(credit),
            )
    return allocs


def _check_line(ctx: _Ctx, unit: int, seq: int, ln: ParsedElement, add_codes: bool) -> _Line:
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

    entry_date = _as_date(f.get("EnDa"))
    if entry_date is None:
        raise ctx.required("Date entry")
    period = next((p for p in _periods(ctx, unit) if p[2] <= entry_date <= p[3]), None)
    if period is None:
        raise ctx.fail("date_no_period", date=_dmy(entry_date))
    if period[4]:
        raise ctx.fail("date_blocked", date=_dmy(entry_date))

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
    if currency is not None and not _exists(ctx, "currency", "currency_id", currency):
        raise ctx.not_exist("Currency")
    if f.get("PaCd") is not None:
        if not _exists(ctx, "payment_condition", "code", f["PaCd"]):
            raise ctx.not_exist("Payment condition")
        pay_con = f["PaCd"]

    debit = _amount(ctx, ln, "AmDe", "Amount debit") or _ZERO
    credit = _amount(ctx, ln, "AmCr", "Amount credit") or _ZERO
    allocs = _check_allocs(ctx, seq, ln, account, ac_nr, debit, credit, add_codes)

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

    return _Line(
        seq=seq,
        va_as=va_as,
        ac_nr=ac_nr,
        account_no=account_no,
        debit=debit,
        credit=credit,
        entry_date=entry_date,
        voucher_date=_as_date(f.get("BpDa")),
        voucher_no=f.get("BpNr"),
        invoice_id=f.get("InId"),
        description=f.get("Ds"),
        vat_code=vat_code,
        due_date=_as_date(f.get("DaEx")),
        currency_id=currency,
        debit_cur=_amount(ctx, ln, "AmDc", "Debit currency amount"),
        credit_cur=_amount(ctx, ln, "AmCc", "Credit currency amount"),
        pay_con=pay_con,
        allocs=allocs,
    )


def _check_header(ctx: _Ctx, h: dict[str, Any]) -> tuple[int, int, int, str, str]:
    """(unit, year, period, journal, journal type) of a valid FiEntryPar header."""
    unit = _unit(ctx, h.get("UnId"))
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


def _post_entry(ctx: _Ctx, el: ParsedElement) -> dict[str, str]:
    h = el.fields
    unit, year, peri, journal, journal_type = _check_header(ctx, h)
    raw_lines = el.child("FiEntries")
    if not raw_lines:
        raise ctx.fail("no_lines")
    if len(raw_lines) > MAX_ENTRY_LINES:
        raise ctx.fail("too_many_lines", count=len(raw_lines))
    add_codes = bool(h.get("AdDc"))
    lines = [_check_line(ctx, unit, seq, ln, add_codes) for seq, ln in enumerate(raw_lines, start=1)]

    total_de = sum((ln.debit for ln in lines), _ZERO)
    total_cr = sum((ln.credit for ln in lines), _ZERO)
    if total_de != total_cr:
        raise ctx.fail(
            "not_balanced",
            debit=_en(total_de),
            credit=_en(total_cr),
            debit_nl=_nl(total_de),
            credit_nl=_nl(total_cr),
        )

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

    if h.get("AuNu") and any(ln.va_as in (2, 3) and not ln.invoice_id for ln in lines):
        invoice = _next_free(ctx, f"invoice:{unit}", "entry_line", "invoice_id", 12, "unit = ?", (unit,))
        for ln in lines:
            ln.invoice_id = ln.invoice_id or invoice

    for ln in lines:
        if (
            ln.va_as in (2, 3)
            and ln.due_date is None
            and ln.invoice_id
            and ctx.one(
                "SELECT 1 FROM entry_line WHERE unit = ? AND va_as = ? AND ac_nr = ? AND invoice_id = ? "
                "LIMIT 1",
                [unit, ln.va_as, ln.ac_nr, ln.invoice_id],
            )
            is None
        ):
            days = 0
            if ln.pay_con:
                prow = ctx.one("SELECT days FROM payment_condition WHERE code = ?", [ln.pay_con])
                days = int(prow[0]) if prow and prow[0] is not None else 0
            ln.due_date = (ln.voucher_date or ln.entry_date) + timedelta(days=days)

    entry_no = _next_entry_no(ctx, unit)
    ctx.cur.executemany(
        "INSERT INTO entry_line (unit, entry_no, seq_no, year, period, journal_id, va_as, ac_nr, account_no, "
        "amt_debit, amt_credit, entry_date, voucher_date, voucher_no, invoice_id, description, vat_code, "
        "vat_amt, due_date, currency_id, amt_debit_cur, amt_credit_cur, created, modified) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)",
        [
            [
                unit,
                entry_no,
                ln.seq,
                year,
                peri,
                journal,
                ln.va_as,
                ln.ac_nr,
                ln.account_no,
                ln.debit,
                ln.credit,
                ln.entry_date,
                ln.voucher_date,
                ln.voucher_no,
                ln.invoice_id,
                ln.description,
                ln.vat_code,
                ln.due_date,
                ln.currency_id,
                ln.debit_cur,
                ln.credit_cur,
                ctx.now,
                ctx.now,
            ]
            for ln in lines
        ],
    )
    alloc_rows = [
        [unit, entry_no, ln.seq, i, *codes, de, cr]
        for ln in lines
        for i, (codes, de, cr) in enumerate(ln.allocs, start=1)
    ]
    if alloc_rows:
        ctx.cur.executemany("INSERT INTO entry_alloc VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", alloc_rows)
    if h.get("AdDa"):  # create missing allocation assignments
        pairs = {
            (ln.account_no, axis, codes[axis - 1])
            for ln in lines
            if ln.va_as == 1
            for codes, _, _ in ln.allocs
            for axis in range(1, 6)
            if codes[axis - 1] is not None
        }
        for account_no, axis, code in sorted(pairs):
            ctx.cur.execute(
                "INSERT INTO allocation_assignment VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [unit, account_no, axis, code],
            )
    _touch_dates(ctx, {ln.entry_date for ln in lines})
    invoice_out = next((ln.invoice_id for ln in lines if ln.va_as in (2, 3) and ln.invoice_id), None)
    return {"UnId": str(unit), "EnNo": str(entry_no), "InId": invoice_out or ""}


def _next_entry_no(ctx: _Ctx, unit: int) -> int:
    row = ctx.one("SELECT max(entry_no) FROM entry_line WHERE unit = ?", [unit])
    start = int(row[0]) + 1 if row and row[0] is not None else 1
    while True:
        entry_no = ctx.store.next_number(ctx.cur, f"entry_no:{unit}", start)
        if (
            ctx.one("SELECT 1 FROM entry_line WHERE unit = ? AND entry_no = ? LIMIT 1", [unit, entry_no])
            is None
        ):
            return entry_no


def _touch_dates(ctx: _Ctx, dates: set[date]) -> None:
    """Record changed booking days for Profit_Fin_ChangedEntrydate."""
    for d in sorted(dates):
        ctx.cur.execute(
            "INSERT INTO changed_entry_date VALUES (?, ?) "
            "ON CONFLICT (entry_date) DO UPDATE SET modified = excluded.modified",
            [d, ctx.now],
        )


def _delete_entry(ctx: _Ctx, steps: list[tuple[str, dict[str, str]]]) -> None:
    keys = _keys(steps)
    unit_text = (keys.get("unid") or "").strip()
    if unit_text and not unit_text.lstrip("-").isdigit():
        raise ctx.not_exist("Administration")
    unit = _unit(ctx, int(unit_text) if unit_text else None)
    where, params = ["unit = ?"], [unit]
    journal = keys.get("joco")
    if journal:
        if ctx.one("SELECT 1 FROM journal WHERE unit = ? AND journal_id = ?", [unit, journal]) is None:
            raise ctx.not_exist("Journal")
        where.append("journal_id = ?")
        params.append(journal)
    if keys.get("enno"):
        label = "Journal entry number"
        if not keys["enno"].strip().isdigit():
            raise ctx.not_exist(label)
        where.append("entry_no = ?")
        params.append(int(keys["enno"]))
    elif keys.get("inid"):
        label = "Invoice number"
        where.append("invoice_id = ?")
        params.append(keys["inid"])
    else:
        raise ctx.required("Journal entry number")
    sql = f"SELECT DISTINCT entry_no FROM entry_line WHERE {' AND '.join(where)}"
    entries = sorted(r[0] for r in ctx.all(sql, params))
    if not entries:
        raise ctx.not_exist(label)
    marks = ", ".join("?" for _ in entries)
    matched = ctx.one(
        f"SELECT o.entry_no, o.invoice_id FROM entry_line e JOIN entry_line o "
        f"ON o.unit = e.unit AND o.va_as = e.va_as AND o.ac_nr = e.ac_nr AND o.invoice_id = e.invoice_id "
        f"WHERE e.unit = ? AND e.entry_no IN ({marks}) AND e.va_as IN (2, 3) AND e.invoice_id IS NOT NULL "
        f"AND o.entry_no NOT IN ({marks}) ORDER BY o.entry_no LIMIT 1",
        [unit, *entries, *entries],
    )
    if matched is not None:
        raise ctx.fail("entry_reconciled", entry=entries[0], invoice=matched[1], other=matched[0])
    dates = {
        r[0]
        for r in ctx.all(
            f"SELECT DISTINCT entry_date FROM entry_line WHERE unit = ? AND entry_no IN ({marks})",
            [unit, *entries],
        )
    }
    ctx.cur.execute(f"DELETE FROM entry_alloc WHERE unit = ? AND entry_no IN ({marks})", [unit, *entries])
    ctx.cur.execute(f"DELETE FROM entry_line WHERE unit = ? AND entry_no IN ({marks})", [unit, *entries])
    _touch_dates(ctx, dates)


# --------------------------------------------------------------------------------------------
# Relations: KnSalesRelationOrg/Per, KnPurchaseRelationOrg/Per
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Relation:
    connector: str
    table: str  # debtor / creditor
    id_field: str  # DbId / CrId
    id_col: str
    id_label: str  # "Debtor number" / "Creditor number"
    noun: str  # "Debtor" / "Creditor"
    noun_nl: str
    party_object: str  # KnOrganisation / KnPerson
    party_kind: str  # 'O' / 'P'
    match_field: str  # MatchOga / MatchPer
    collect_type: str  # 'D' / 'C' (CollectAccountType of an allowed ColA)
    default_collect: str
    flag_col: str  # is_debtor / is_creditor
    columns: dict[str, str]  # field id -> column (besides the id, bc_co, created, modified, fields)

    @property
    def party_noun(self) -> tuple[str, str]:
        return ("Organisation", "Organisatie") if self.party_kind == "O" else ("Person", "Persoon")


_DEBTOR_COLUMNS = {
    "IsDb": "is_debtor",
    "CuId": "currency_id",
    "PaCd": "pay_con",
    "ColA": "collect_account",
    "VaDu": "vat_duty",
    "VaId": "vat_id",
    "Bl": "blocked",
    "BlTl": "blocked_total",
    "Krli": "credit_limit",
    "AuPa": "auto_payment",
}
_CREDITOR_COLUMNS = {
    "IsCr": "is_creditor",
    "CuId": "currency_id",
    "PaCd": "pay_con",
    "ColA": "collect_account",
    "VaDu": "vat_duty",
    "VaId": "vat_id",
    "Bl": "temp_blocked",
    "BlTl": "blocked",
    "Krli": "credit_limit",
    "AuPa": "auto_payment",
}
_BOOL_COLUMNS = frozenset(
    {"is_debtor", "is_creditor", "blocked", "blocked_total", "temp_blocked", "auto_payment"}
)


def _relation(connector: str, sales: bool, org: bool) -> _Relation:
    return _Relation(
        connector=connector,
        table="debtor" if sales else "creditor",
        id_field="DbId" if sales else "CrId",
        id_col="debtor_id" if sales else "creditor_id",
        id_label="Debtor number" if sales else "Creditor number",
        noun="Debtor" if sales else "Creditor",
        noun_nl="Debiteur" if sales else "Crediteur",
        party_object="KnOrganisation" if org else "KnPerson",
        party_kind="O" if org else "P",
        match_field="MatchOga" if org else "MatchPer",
        collect_type="D" if sales else "C",
        default_collect="1300" if sales else "1600",
        flag_col="is_debtor" if sales else "is_creditor",
        columns=_DEBTOR_COLUMNS if sales else _CREDITOR_COLUMNS,
    )


_RELATIONS: dict[str, _Relation] = {
    "KnSalesRelationOrg": _relation("KnSalesRelationOrg", sales=True, org=True),
    "KnSalesRelationPer": _relation("KnSalesRelationPer", sales=True, org=False),
    "KnPurchaseRelationOrg": _relation("KnPurchaseRelationOrg", sales=False, org=True),
    "KnPurchaseRelationPer": _relation("KnPurchaseRelationPer", sales=False, org=False),
}


def _check_relation_fields(ctx: _Ctx, rel: _Relation, f: dict[str, Any]) -> None:
    if "CuId" in f:
        if f["CuId"] is None:
            raise ctx.required("Currency")
        if not _exists(ctx, "currency", "currency_id", f["CuId"]):
            raise ctx.not_exist("Currency")
    if f.get("PaCd") is not None and not _exists(ctx, "payment_condition", "code", f["PaCd"]):
        raise ctx.not_exist("Payment condition")
    if f.get("ColA") is not None:
        row = ctx.one(
            "SELECT collect_account, collect_account_type FROM account WHERE account = ?", [f["ColA"]]
        )
        if row is None or not row[0] or row[1] != rel.collect_type:
            raise ctx.not_exist("Summary account")


def _iban_ok(iban: str) -> bool:
    """ISO 13616 check: length, shape and mod-97 = 1."""
    s = iban.replace(" ", "").upper()
    if not 15 <= len(s) <= 34 or not s.isalnum() or not s[:2].isalpha() or not s[2:4].isdigit():
        return False
    return int("".join(str(int(c, 36)) for c in s[4:] + s[:4])) % 97 == 1


def _element_doc(pe: ParsedElement) -> dict[str, Any]:
    out: dict[str, Any] = _plain(pe.fields)
    for name, children in pe.children.items():
        out[name] = [_element_doc(c) for c in children]
    return out


def _party_changes(
    ctx: _Ctx, kind: str, pe: ParsedElement, stored: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Column values and the merged ``fields`` document for a KnOrganisation/KnPerson element."""
    f = pe.fields
    cols: dict[str, Any] = {}
    doc = dict(stored)
    doc.update(_plain({k: v for k, v in f.items() if k not in ("MatchOga", "MatchPer", "AutoNum")}))
    if kind == "O":
        if "Nm" in f:
            if f["Nm"] is None:
                raise ctx.required("Name")
            cols["name"] = f["Nm"]
    elif any(k in f for k in ("CaNm", "FiNm", "In", "Is", "LaNm")):
        if doc.get("LaNm") in (None, ""):
            raise ctx.required("Last name")
        first = doc.get("CaNm") or doc.get("FiNm") or doc.get("In")
        cols["name"] = " ".join(str(p) for p in (first, doc.get("Is"), doc.get("LaNm")) if p)
    for fid, col in (
        ("SeNm", "search_name"),
        ("CcNr", "coc_nr"),
        ("FiNr", "fiscal_nr"),
        ("TeNr", "phone"),
        ("EmAd", "email"),
    ):
        if fid in f:
            cols[col] = f[fid]
    if kind == "P" and "phone" not in cols and f.get("MbNr") is not None and not stored.get("TeNr"):
        cols["phone"] = f["MbNr"]
    for obj in ("KnBasicAddressAdr", "KnBasicAddressPad"):
        for adr in pe.child(obj):
            if adr.fields.get("CoId") is None:
                raise ctx.required("Country")
            doc[obj] = _plain(adr.fields)
    if pe.child("KnBasicAddressAdr"):
        a = pe.child("KnBasicAddressAdr")[0].fields
        cols.update(
            street=a.get("Ad"),
            house_nr=None if a.get("HmNr") is None else str(a["HmNr"]),
            house_add=a.get("HmAd"),
            zip=a.get("ZpCd"),
            city=a.get("Rs"),
            country=a.get("CoId"),
        )
    ibans: list[tuple[bool, str]] = []
    for bank in pe.child("KnBankAccount"):
        b = bank.fields
        if b.get("CoId") is None:
            raise ctx.required("Country of bank")
        if b.get("Iban") is not None:
            if b.get("IbCk") and not _iban_ok(str(b["Iban"])):
                raise ctx.fail("iban_invalid")
            ibans.append((bool(b.get("AcGa")), str(b["Iban"]).replace(" ", "").upper()))
    if pe.child("KnBankAccount"):
        added = [_plain(b.fields) for b in pe.child("KnBankAccount")]
        doc["KnBankAccount"] = [*doc.get("KnBankAccount", []), *added]
    if ibans:
        cols["iban"] = sorted(ibans, key=lambda t: t[0])[0][1]  # a regular account before a G-account
    contacts = pe.child("KnContact")
    for contact in contacts:
        for obj in ("KnBasicAddressAdr", "KnBasicAddressPad"):
            if any(adr.fields.get("CoId") is None for adr in contact.child(obj)):
                raise ctx.required("Country")
    if contacts:
        doc["KnContact"] = [*doc.get("KnContact", []), *(_element_doc(c) for c in contacts)]
    return cols, doc


def _update_party(ctx: _Ctx, bc_co: str, kind: str, pe: ParsedElement) -> None:
    row = ctx.one("SELECT fields FROM party WHERE bc_co = ?", [bc_co])
    cols, doc = _party_changes(ctx, kind, pe, _loads(row[0] if row else None))
    cols.update(fields=_dumps(doc), modified=ctx.now)
    _update(ctx, "party", cols, "bc_co = ?", [bc_co])


def _new_party(ctx: _Ctx, rel: _Relation, pe: ParsedElement, bc_co: str | None) -> str:
    f = pe.fields
    if rel.party_kind == "O" and f.get("Nm") is None:
        raise ctx.required("Name")
    if rel.party_kind == "P" and f.get("LaNm") is None:
        raise ctx.required("Last name")
    if bc_co is None:
        bc_co = _next_free(ctx, "party", "party", "bc_co", 15)
    elif ctx.one("SELECT 1 FROM party WHERE bc_co = ?", [bc_co]) is not None:
        noun, noun_nl = rel.party_noun
        raise ctx.fail("party_exists", noun=noun, noun_nl=noun_nl, id=bc_co)
    cols, doc = _party_changes(ctx, rel.party_kind, pe, {})
    cols.setdefault("name", "")
    cols.update(bc_co=bc_co, kind=rel.party_kind, created=ctx.now, modified=ctx.now, fields=_dumps(doc))
    _insert(ctx, "party", cols)
    return bc_co


def _party_kind(ctx: _Ctx, bc_co: str) -> str | None:
    row = ctx.one("SELECT kind FROM party WHERE bc_co = ?", [bc_co])
    return None if row is None else row[0]


def _first_party(ctx: _Ctx, where: str, params: list[Any]) -> str | None:
    row = ctx.one(f"SELECT bc_co FROM party WHERE {where} ORDER BY bc_co LIMIT 1", params)
    return None if row is None else row[0]


def _match_party(ctx: _Ctx, rel: _Relation, pe: ParsedElement) -> str | None:
    """POST: the existing party the element matches by its MatchOga/MatchPer rule, or None (create one)."""
    f = pe.fields
    org = rel.party_kind == "O"
    bc = f.get("BcCo")
    match = f.get(rel.match_field)
    if match is None:
        match = "0" if bc is not None and _party_kind(ctx, bc) == rel.party_kind else ("6" if org else "7")
    match = str(match).strip()
    if match == "0":
        if bc is None:
            raise ctx.required("Number")
        if _party_kind(ctx, bc) != rel.party_kind:
            raise ctx.not_exist("Number")
        return bc
    if match == "9":
        raise ctx.fail("match_parent_on_post", match=rel.match_field)
    if match in ("6", "7") or (not org and match in ("2", "3", "4", "5")):
        return None
    if org and match in ("1", "2", "3"):
        col, value = {
            "1": ("coc_nr", f.get("CcNr")),
            "2": ("fiscal_nr", f.get("FiNr")),
            "3": ("name", f.get("Nm")),
        }[match]
        return None if value is None else _first_party(ctx, f"kind = 'O' AND {col} = ?", [value])
    if org and match in ("4", "5"):
        adr = pe.child("KnBasicAddressAdr" if match == "4" else "KnBasicAddressPad")
        if not adr or not adr[0].fields.get("ZpCd") or adr[0].fields.get("HmNr") is None:
            return None
        return _first_party(
            ctx,
            "kind = 'O' AND replace(upper(zip), ' ', '') = ? AND house_nr = ?",
            [str(adr[0].fields["ZpCd"]).replace(" ", "").upper(), str(adr[0].fields["HmNr"])],
        )
    if not org and match == "1":
        if f.get("SoSe") is None:
            return None
        return _first_party(ctx, "kind = 'P' AND json_extract_string(fields, '$.SoSe') = ?", [f["SoSe"]])
    raise ctx.fail("bad_value", value=match, label=rel.match_field)


def _relation_columns(rel: _Relation, f: dict[str, Any]) -> dict[str, Any]:
    cols: dict[str, Any] = {}
    for fid, col in rel.columns.items():
        if fid in f:
            cols[col] = bool(f[fid]) if col in _BOOL_COLUMNS else f[fid]
    return cols


def _relation_doc(el: ParsedElement, stored: str | None = None) -> str:
    doc = _loads(stored)
    doc.update(_plain({k: v for k, v in el.fields.items() if k not in ("DbId", "CrId")}))
    return _dumps(doc)


def _relation_result(rel: _Relation, rel_id: str, bc_co: str) -> dict[str, str]:
    if rel.table == "debtor":
        return {"DbId": rel_id, "BcCo": bc_co}
    return {"BcCo": bc_co, "CrId": rel_id}


def _post_relation(ctx: _Ctx, rel: _Relation, el: ParsedElement) -> dict[str, str]:
    f = el.fields
    if f.get("CuId") is None:
        raise ctx.required("Currency")
    _check_relation_fields(ctx, rel, f)
    rel_id = el.key(rel.id_field)
    if rel_id is not None:
        rel_id = str(rel_id).strip()
        if ctx.one(f"SELECT 1 FROM {rel.table} WHERE {rel.id_col} = ?", [rel_id]) is not None:
            raise ctx.fail("relation_exists", noun=rel.noun, noun_nl=rel.noun_nl, id=rel_id)
    parties = el.child(rel.party_object)
    if not parties:
        raise ctx.fail("party_required", object=rel.party_object)
    pe = parties[0]
    bc_co = _match_party(ctx, rel, pe)
    if bc_co is not None:
        _update_party(ctx, bc_co, rel.party_kind, pe)
    else:
        autonum, given = pe.fields.get("AutoNum"), pe.fields.get("BcCo")
        if autonum is False and given is None:
            raise ctx.required("Number")
        bc_co = _new_party(ctx, rel, pe, None if autonum else given)
    if f.get("Iban") is not None and not pe.child("KnBankAccount"):
        ctx.cur.execute(
            "UPDATE party SET iban = ? WHERE bc_co = ? AND iban IS NULL",
            [str(f["Iban"]).replace(" ", "").upper(), bc_co],
        )
    if rel_id is None:
        rel_id = _next_free(ctx, rel.table, rel.table, rel.id_col, 16)
    cols = _relation_columns(rel, f)
    for col in _BOOL_COLUMNS & set(rel.columns.values()):  # IsDb/IsCr default true, the others false
        cols[col] = bool(cols[col]) if cols.get(col) is not None else col == rel.flag_col
    if cols.get("collect_account") is None:
        cols["collect_account"] = rel.default_collect
    cols.update(
        {
            rel.id_col: rel_id,
            "bc_co": bc_co,
            "created": ctx.now,
            "modified": ctx.now,
            "fields": _relation_doc(el),
        }
    )
    _insert(ctx, rel.table, cols)
    return _relation_result(rel, rel_id, bc_co)


def _existing_relation(ctx: _Ctx, rel: _Relation, rel_id: Any) -> tuple[str, str, str | None]:
    """(id, bc_co, fields JSON) of an existing debtor/creditor of this connector's party kind."""
    if rel_id is None or not str(rel_id).strip():
        raise ctx.required(rel.id_label)
    rel_id = str(rel_id).strip()
    row = ctx.one(
        f"SELECT r.bc_co, r.fields, p.kind FROM {rel.table} r LEFT JOIN party p USING (bc_co) "
        f"WHERE r.{rel.id_col} = ?",
        [rel_id],
    )
    if row is None or (row[2] is not None and row[2] != rel.party_kind):
        raise ctx.not_exist(rel.id_label)
    return rel_id, row[0], row[1]


def _put_relation(ctx: _Ctx, rel: _Relation, el: ParsedElement) -> dict[str, str]:
    rel_id, bc_co, stored = _existing_relation(ctx, rel, el.key(rel.id_field))
    f = el.fields
    _check_relation_fields(ctx, rel, f)
    for pe in el.child(rel.party_object)[:1]:
        given = pe.fields.get("BcCo")
        match = pe.fields.get(rel.match_field)
        match = ("0" if given is not None else "9") if match is None else str(match).strip()
        noun, noun_nl = rel.party_noun
        if match == "0":
            if given is None:
                raise ctx.required("Number")
            if given != bc_co:
                raise ctx.fail(
                    "party_not_of_relation",
                    noun=noun,
                    noun_nl=noun_nl,
                    bc_co=given,
                    relation=rel.noun.lower(),
                    relation_nl=rel.noun_nl.lower(),
                    id=rel_id,
                )
        elif match != "9":
            raise ctx.fail(
                "party_match_on_put",
                relation=rel.noun.lower(),
                relation_nl=rel.noun_nl.lower(),
                id=rel_id,
                object=rel.party_object,
                match=rel.match_field,
            )
        _update_party(ctx, bc_co, rel.party_kind, pe)
    cols = _relation_columns(rel, f)
    for col in _BOOL_COLUMNS & set(cols):
        cols[col] = bool(cols[col])
    if "collect_account" in cols and cols["collect_account"] is None:
        cols["collect_account"] = rel.default_collect
    if f.get("Iban") is not None:
        ctx.cur.execute(
            "UPDATE party SET iban = ?, modified = ? WHERE bc_co = ?",
            [str(f["Iban"]).replace(" ", "").upper(), ctx.now, bc_co],
        )
    cols.update(fields=_relation_doc(el, stored), modified=ctx.now)
    _update(ctx, rel.table, cols, f"{rel.id_col} = ?", [rel_id])
    return _relation_result(rel, rel_id, bc_co)


def _delete_relation(rel: _Relation) -> Callable[[_Ctx, list[tuple[str, dict[str, str]]]], None]:
    def delete(ctx: _Ctx, steps: list[tuple[str, dict[str, str]]]) -> None:
        rel_id, _, _ = _existing_relation(ctx, rel, _keys(steps).get(rel.id_field.lower()))
        va_as = 2 if rel.table == "debtor" else 3
        if ctx.one("SELECT 1 FROM entry_line WHERE va_as = ? AND ac_nr = ? LIMIT 1", [va_as, rel_id]):
            raise ctx.fail(
                "relation_linked",
                noun=rel.noun,
                noun_nl=rel.noun_nl,
                id=rel_id,
                relation=rel.noun.lower(),
                relation_nl=rel.noun_nl.lower(),
            )
        ctx.cur.execute(f"DELETE FROM {rel.table} WHERE {rel.id_col} = ?", [rel_id])

    return delete


# --------------------------------------------------------------------------------------------
# KnDimCode
# --------------------------------------------------------------------------------------------


def _dim_keys(ctx: _Ctx, ax_value: Any, code: Any) -> tuple[int, str]:
    """(axis, code) of a KnDimCode element whose axis exists and is active."""
    if ax_value is None or not str(ax_value).strip():
        raise ctx.required("Allocation axis")
    if code is None or not str(code).strip():
        raise ctx.required("Allocation code")
    if not str(ax_value).strip().isdigit():
        raise ctx.not_exist("Allocation axis")
    axis = int(str(ax_value).strip())
    row = ctx.one("SELECT active FROM allocation_axis WHERE ax_id = ?", [axis])
    if row is None:
        raise ctx.not_exist("Allocation axis")
    if not row[0]:
        raise ctx.fail("axis_inactive", axis=axis)
    return axis, str(code).strip()


def _code_exists(ctx: _Ctx, axis: int, code: str) -> bool:
    return ctx.one("SELECT 1 FROM allocation_code WHERE ax_id = ? AND code = ?", [axis, code]) is not None


def _post_dim_code(ctx: _Ctx, el: ParsedElement) -> None:
    axis, code = _dim_keys(ctx, el.key("AxId"), el.key("VbCo"))
    f = el.fields
    if f.get("Ds") is None:
        raise ctx.required("Description")
    if _code_exists(ctx, axis, code):
        raise ctx.fail("code_exists", code=code, axis=axis)
    _insert(
        ctx,
        "allocation_code",
        {
            "ax_id": axis,
            "code": code,
            "description": f["Ds"],
            "selection": f.get("Re"),
            "track_qty": bool(f.get("QuYN")),
            "blocked": bool(f.get("Bl")),
            "created": ctx.now,
            "modified": ctx.now,
        },
    )


def _put_dim_code(ctx: _Ctx, el: ParsedElement) -> None:
    axis, code = _dim_keys(ctx, el.key("AxId"), el.key("VbCo"))
    if not _code_exists(ctx, axis, code):
        raise ctx.not_exist("Allocation code")
    f = el.fields
    cols: dict[str, Any] = {}
    if "Ds" in f:
        if f["Ds"] is None:
            raise ctx.required("Description")
        cols["description"] = f["Ds"]
    if "Re" in f:
        cols["selection"] = f["Re"]
    if "QuYN" in f:
        cols["track_qty"] = bool(f["QuYN"])
    if "Bl" in f:
        cols["blocked"] = bool(f["Bl"])
    cols["modified"] = ctx.now
    _update(ctx, "allocation_code", cols, "ax_id = ? AND code = ?", [axis, code])


def _delete_dim_code(ctx: _Ctx, steps: list[tuple[str, dict[str, str]]]) -> None:
    keys = _keys(steps)
    ax_text, code = (keys.get("axid") or "").strip(), (keys.get("vbco") or "").strip()
    if not ax_text:
        raise ctx.required("Allocation axis")
    if not code:
        raise ctx.required("Allocation code")
    if not ax_text.isdigit() or not _code_exists(ctx, int(ax_text), code):
        raise ctx.not_exist("Allocation code")
    axis = int(ax_text)
    used = None
    if 1 <= axis <= 5:
        used = ctx.one(f"SELECT 1 FROM entry_alloc WHERE dim{axis} = ? LIMIT 1", [code])
    if used is None:
        used = ctx.one(
            "SELECT 1 FROM allocation_assignment WHERE ax_id = ? AND code = ? LIMIT 1", [axis, code]
        )
    if used is not None:
        raise ctx.fail("code_in_use", code=code, axis=axis)
    ctx.cur.execute("DELETE FROM allocation_code WHERE ax_id = ? AND code = ?", [axis, code])


_DELETES: dict[str, Callable[[_Ctx, list[tuple[str, dict[str, str]]]], None]] = {
    "FiEntries": _delete_entry,
    "KnPurchaseRelationOrg": _delete_relation(_RELATIONS["KnPurchaseRelationOrg"]),
    "KnPurchaseRelationPer": _delete_relation(_RELATIONS["KnPurchaseRelationPer"]),
    "KnDimCode": _delete_dim_code,
}
