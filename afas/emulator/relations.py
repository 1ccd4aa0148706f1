"""KnSalesRelationOrg/Per and KnPurchaseRelationOrg/Per: debtors and creditors with their party.

One ``Relation`` describes each connector (sub-ledger x organisation/person); the four share
one code path. Relations land in Profit_Debtor/Profit_Creditor, their organisation or person in
the ``party`` table. DELETE (offered for the purchase relations only, see update_fields) refuses a
creditor that entries use. Choices of our own (UNCONFIRMED):

* MatchOga 0/1/2/3/4/5/6 and MatchPer 0/1/7 (+ 2..6 = create new: person matching on
  name/e-mail/phone/birth date is not modelled) on POST; on PUT the organisation/person must be
  the relation's own (MatchOga/MatchPer 0 with its BcCo, or 9). AutoNum true ignores a given BcCo.
* Given relation and organisation/person fields are kept (merged) in the JSON ``fields`` columns,
  addresses, bank accounts and contacts under their object names; contacts create no parties.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from afas.emulator.envelope import ParsedElement
from afas.emulator.messages import Pair
from afas.emulator.update_context import (
    CREDITORS,
    DEBTORS,
    Ctx,
    KeySteps,
    SubLedger,
    dumps,
    exists,
    insert_row,
    key_values,
    loads,
    next_free,
    plain,
    update_rows,
)

__all__ = ["RELATIONS", "Relation", "delete_relation", "post_relation", "put_relation"]

_ADDRESSES = ("KnBasicAddressAdr", "KnBasicAddressPad")


@dataclass(frozen=True)
class Relation:
    """One relation connector: its sub-ledger and whether its party is an organisation or a person."""

    connector: str
    ledger: SubLedger
    id_field: str  # DbId / CrId
    id_label: str  # "Debtor number" / "Creditor number"
    party_kind: str  # 'O' / 'P'
    columns: dict[str, str]  # field id -> column (besides the id, bc_co, created, modified, fields)

    @property
    def party_object(self) -> str:
        return "KnOrganisation" if self.party_kind == "O" else "KnPerson"

    @property
    def match_field(self) -> str:
        return "MatchOga" if self.party_kind == "O" else "MatchPer"

    @property
    def party_noun(self) -> Pair:
        return Pair("Organisation", "Organisatie") if self.party_kind == "O" else Pair("Person", "Persoon")

    @property
    def lower_noun(self) -> Pair:
        """'debtor'/'debiteur' or 'creditor'/'crediteur', for use within a sentence."""
        return Pair(self.ledger.noun.en.lower(), self.ledger.noun.nl.lower())


_SHARED_COLUMNS = {
    "CuId": "currency_id",
    "PaCd": "pay_con",
    "ColA": "collect_account",
    "VaDu": "vat_duty",
    "VaId": "vat_id",
    "Krli": "credit_limit",
    "AuPa": "auto_payment",
}
# Bl/BlTl: a debtor's "blocked"/"blocked in total" are a creditor's "temporarily blocked"/"blocked".
_DEBTOR_COLUMNS = {"IsDb": "is_debtor", "Bl": "blocked", "BlTl": "blocked_total", **_SHARED_COLUMNS}
_CREDITOR_COLUMNS = {"IsCr": "is_creditor", "Bl": "temp_blocked", "BlTl": "blocked", **_SHARED_COLUMNS}
_BOOL_COLUMNS = frozenset(
    {"is_debtor", "is_creditor", "blocked", "blocked_total", "temp_blocked", "auto_payment"}
)


def _relation(connector: str, sales: bool, org: bool) -> Relation:
    return Relation(
        connector=connector,
        ledger=DEBTORS if sales else CREDITORS,
        id_field="DbId" if sales else "CrId",
        id_label="Debtor number" if sales else "Creditor number",
        party_kind="O" if org else "P",
        columns=_DEBTOR_COLUMNS if sales else _CREDITOR_COLUMNS,
    )


RELATIONS: dict[str, Relation] = {
    "KnSalesRelationOrg": _relation("KnSalesRelationOrg", sales=True, org=True),
    "KnSalesRelationPer": _relation("KnSalesRelationPer", sales=True, org=False),
    "KnPurchaseRelationOrg": _relation("KnPurchaseRelationOrg", sales=False, org=True),
    "KnPurchaseRelationPer": _relation("KnPurchaseRelationPer", sales=False, org=False),
}


def _compact(value: Any) -> str:
    """An IBAN or postcode as compared and stored: no spaces, upper case."""
    return str(value).replace(" ", "").upper()


def _check_relation_fields(ctx: Ctx, rel: Relation, f: dict[str, Any]) -> None:
    if "CuId" in f:
        if f["CuId"] is None:
            raise ctx.required("Currency")
        if not exists(ctx, "currency", "currency_id", f["CuId"]):
            raise ctx.not_exist("Currency")
    if f.get("PaCd") is not None and not exists(ctx, "payment_condition", "code", f["PaCd"]):
        raise ctx.not_exist("Payment condition")
    if f.get("ColA") is not None:
        row = ctx.one(
            "SELECT collect_account, collect_account_type FROM account WHERE account = ?", [f["ColA"]]
        )
        if row is None or not row[0] or row[1] != rel.ledger.collect_type:
            raise ctx.not_exist("Summary account")


def _iban_ok(iban: str) -> bool:
    """ISO 13616 check: length, shape and mod-97 = 1."""
    s = _compact(iban)
    if not 15 <= len(s) <= 34 or not s.isalnum() or not s[:2].isalpha() or not s[2:4].isdigit():
        return False
    return int("".join(str(int(c, 36)) for c in s[4:] + s[:4])) % 97 == 1


def _element_doc(pe: ParsedElement) -> dict[str, Any]:
    out: dict[str, Any] = plain(pe.fields)
    for name, children in pe.children.items():
        out[name] = [_element_doc(c) for c in children]
    return out


def _check_countries(ctx: Ctx, pe: ParsedElement) -> None:
    """Every address (visit and postal) of the element has a country."""
    for obj in _ADDRESSES:
        if any(adr.fields.get("CoId") is None for adr in pe.child(obj)):
            raise ctx.required("Country")


def _bank_key(fields: dict[str, Any]) -> str:
    return _compact(str(fields.get("Iban") or fields.get("BaAc") or ""))


def _bank_accounts(
    ctx: Ctx, banks: list[ParsedElement], stored: list[dict[str, Any]] | None, iban: str | None
) -> list[dict[str, Any]]:
    """The party's bank accounts after these KnBankAccount elements, each identified by its IBAN
    (or account number). ``@Action`` delete removes one, update changes one that must exist, insert
    adds one; without an action an account is added or, when its IBAN is known, updated (nested
    objects are identified by their keys). ``iban``: the party's IBAN when no accounts are stored."""
    accounts = [dict(a) for a in stored] if stored else ([{"CoId": "NL", "Iban": iban}] if iban else [])
    for bank in banks:
        b = bank.fields
        at = next((i for i, a in enumerate(accounts) if _bank_key(a) == _bank_key(b)), None)
        if bank.action in ("delete", "update") and at is None:
            raise ctx.not_exist("Bank account")
        if bank.action == "delete":
            del accounts[at]
            continue
        if b.get("CoId") is None and at is None:
            raise ctx.required("Country of bank")
        if b.get("Iban") is not None and b.get("IbCk") and not _iban_ok(str(b["Iban"])):
            raise ctx.fail("iban_invalid")
        if at is None:
            accounts.append(plain(b))
        else:
            accounts[at] = {**accounts[at], **plain(b)}
    return accounts


def _party_changes(
    ctx: Ctx, kind: str, pe: ParsedElement, stored: dict[str, Any], iban: str | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Column values and the merged ``fields`` document for a KnOrganisation/KnPerson element;
    ``iban``: the party's IBAN column as it stands."""
    f = pe.fields
    cols: dict[str, Any] = {}
    doc = dict(stored)
    doc.update(plain({k: v for k, v in f.items() if k not in ("MatchOga", "MatchPer", "AutoNum")}))
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
    _check_countries(ctx, pe)
    for obj in _ADDRESSES:
        for adr in pe.child(obj):
            doc[obj] = plain(adr.fields)
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
    if pe.child("KnBankAccount"):
        accounts = _bank_accounts(ctx, pe.child("KnBankAccount"), doc.get("KnBankAccount"), iban)
        doc["KnBankAccount"] = accounts
        ibans = [(bool(a.get("AcGa")), _compact(a["Iban"])) for a in accounts if a.get("Iban")]
        # a regular account before a G-account; none left after deletes: no IBAN
        cols["iban"] = sorted(ibans, key=lambda t: t[0])[0][1] if ibans else None
    contacts = pe.child("KnContact")
    for contact in contacts:
        _check_countries(ctx, contact)
    if contacts:
        doc["KnContact"] = [*doc.get("KnContact", []), *(_element_doc(c) for c in contacts)]
    return cols, doc


def _update_party(ctx: Ctx, bc_co: str, kind: str, pe: ParsedElement) -> None:
    row = ctx.one("SELECT fields, iban FROM party WHERE bc_co = ?", [bc_co])
    cols, doc = _party_changes(ctx, kind, pe, loads(row[0] if row else None), row[1] if row else None)
    cols.update(fields=dumps(doc), modified=ctx.now)
    update_rows(ctx, "party", cols, "bc_co = ?", [bc_co])


def _new_party(ctx: Ctx, rel: Relation, pe: ParsedElement, bc_co: str | None) -> str:
    f = pe.fields
    if rel.party_kind == "O" and f.get("Nm") is None:
        raise ctx.required("Name")
    if rel.party_kind == "P" and f.get("LaNm") is None:
        raise ctx.required("Last name")
    if bc_co is None:
        bc_co = next_free(ctx, "party", "party", "bc_co", 15)
    elif ctx.one("SELECT 1 FROM party WHERE bc_co = ?", [bc_co]) is not None:
        raise ctx.fail("already_exists", noun=rel.party_noun, id=bc_co)
    cols, doc = _party_changes(ctx, rel.party_kind, pe, {})
    cols.setdefault("name", "")
    cols.update(bc_co=bc_co, kind=rel.party_kind, created=ctx.now, modified=ctx.now, fields=dumps(doc))
    insert_row(ctx, "party", cols)
    return bc_co


def _party_kind(ctx: Ctx, bc_co: str) -> str | None:
    row = ctx.one("SELECT kind FROM party WHERE bc_co = ?", [bc_co])
    return None if row is None else row[0]


def _first_party(ctx: Ctx, where: str, params: list[Any]) -> str | None:
    row = ctx.one(f"SELECT bc_co FROM party WHERE {where} ORDER BY bc_co LIMIT 1", params)
    return None if row is None else row[0]


def _match_party(ctx: Ctx, rel: Relation, pe: ParsedElement) -> str | None:
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
        adr = pe.child(_ADDRESSES[0] if match == "4" else _ADDRESSES[1])
        if not adr or not adr[0].fields.get("ZpCd") or adr[0].fields.get("HmNr") is None:
            return None
        return _first_party(
            ctx,
            "kind = 'O' AND replace(upper(zip), ' ', '') = ? AND house_nr = ?",
            [_compact(adr[0].fields["ZpCd"]), str(adr[0].fields["HmNr"])],
        )
    if not org and match == "1":
        if f.get("SoSe") is None:
            return None
        return _first_party(ctx, "kind = 'P' AND json_extract_string(fields, '$.SoSe') = ?", [f["SoSe"]])
    raise ctx.fail("bad_value", value=match, label=rel.match_field)


def _relation_columns(rel: Relation, f: dict[str, Any], *, new: bool) -> dict[str, Any]:
    """The debtor/creditor columns the element sets; for a ``new`` relation with their defaults."""
    cols = {
        col: bool(f[fid]) if col in _BOOL_COLUMNS else f[fid] for fid, col in rel.columns.items() if fid in f
    }
    if new:  # IsDb/IsCr default true, the other flags false
        for col in _BOOL_COLUMNS & set(rel.columns.values()):
            cols.setdefault(col, col == rel.ledger.flag_col)
    if (new or "collect_account" in cols) and cols.get("collect_account") is None:
        cols["collect_account"] = rel.ledger.default_collect
    return cols


def _relation_doc(el: ParsedElement, stored: str | None = None) -> str:
    doc = loads(stored)
    doc.update(plain({k: v for k, v in el.fields.items() if k not in ("DbId", "CrId")}))
    return dumps(doc)


def _relation_result(rel: Relation, rel_id: str, bc_co: str) -> dict[str, str]:
    if rel.ledger is DEBTORS:
        return {"DbId": rel_id, "BcCo": bc_co}
    return {"BcCo": bc_co, "CrId": rel_id}


def post_relation(ctx: Ctx, rel: Relation, el: ParsedElement) -> dict[str, str]:
    """Create a debtor/creditor and match or create its party; returns the ``results`` object."""
    f = el.fields
    if f.get("CuId") is None:
        raise ctx.required("Currency")
    _check_relation_fields(ctx, rel, f)
    table, id_col = rel.ledger.table, rel.ledger.id_col
    rel_id = el.key(rel.id_field)
    if rel_id is not None:
        rel_id = str(rel_id).strip()
        if ctx.one(f"SELECT 1 FROM {table} WHERE {id_col} = ?", [rel_id]) is not None:
            raise ctx.fail("already_exists", noun=rel.ledger.noun, id=rel_id)
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
            "UPDATE party SET iban = ? WHERE bc_co = ? AND iban IS NULL", [_compact(f["Iban"]), bc_co]
        )
    if rel_id is None:
        rel_id = next_free(ctx, table, table, id_col, 16)
    cols = _relation_columns(rel, f, new=True)
    cols.update(
        {id_col: rel_id, "bc_co": bc_co, "created": ctx.now, "modified": ctx.now, "fields": _relation_doc(el)}
    )
    insert_row(ctx, table, cols)
    return _relation_result(rel, rel_id, bc_co)


def _existing_relation(ctx: Ctx, rel: Relation, rel_id: Any) -> tuple[str, str, str | None]:
    """(id, bc_co, fields JSON) of an existing debtor/creditor of this connector's party kind."""
    if rel_id is None or not str(rel_id).strip():
        raise ctx.required(rel.id_label)
    rel_id = str(rel_id).strip()
    row = ctx.one(
        f"SELECT r.bc_co, r.fields, p.kind FROM {rel.ledger.table} r LEFT JOIN party p USING (bc_co) "
        f"WHERE r.{rel.ledger.id_col} = ?",
        [rel_id],
    )
    if row is None or (row[2] is not None and row[2] != rel.party_kind):
        raise ctx.not_exist(rel.id_label)
    return rel_id, row[0], row[1]


def put_relation(ctx: Ctx, rel: Relation, el: ParsedElement) -> dict[str, str]:
    """Update a debtor/creditor and its own party; returns the ``results`` object."""
    rel_id, bc_co, stored = _existing_relation(ctx, rel, el.key(rel.id_field))
    f = el.fields
    _check_relation_fields(ctx, rel, f)
    for pe in el.child(rel.party_object)[:1]:
        given = pe.fields.get("BcCo")
        match = pe.fields.get(rel.match_field)
        match = ("0" if given is not None else "9") if match is None else str(match).strip()
        if match == "0":
            if given is None:
                raise ctx.required("Number")
            if given != bc_co:
                raise ctx.fail(
                    "party_not_of_relation",
                    noun=rel.party_noun,
                    bc_co=given,
                    relation=rel.lower_noun,
                    id=rel_id,
                )
        elif match != "9":
            raise ctx.fail(
                "party_match_on_put",
                relation=rel.lower_noun,
                id=rel_id,
                object=rel.party_object,
                match=rel.match_field,
            )
        _update_party(ctx, bc_co, rel.party_kind, pe)
    cols = _relation_columns(rel, f, new=False)
    if f.get("Iban") is not None:
        ctx.cur.execute(
            "UPDATE party SET iban = ?, modified = ? WHERE bc_co = ?", [_compact(f["Iban"]), ctx.now, bc_co]
        )
    cols.update(fields=_relation_doc(el, stored), modified=ctx.now)
    update_rows(ctx, rel.ledger.table, cols, f"{rel.ledger.id_col} = ?", [rel_id])
    return _relation_result(rel, rel_id, bc_co)


def delete_relation(ctx: Ctx, rel: Relation, steps: KeySteps) -> None:
    """Delete a debtor/creditor no entry uses (its party stays)."""
    rel_id, _, _ = _existing_relation(ctx, rel, key_values(steps).get(rel.id_field.lower()))
    if ctx.one("SELECT 1 FROM entry_line WHERE va_as = ? AND ac_nr = ? LIMIT 1", [rel.ledger.va_as, rel_id]):
        raise ctx.fail("relation_linked", noun=rel.ledger.noun, id=rel_id, relation=rel.lower_noun)
    ctx.cur.execute(f"DELETE FROM {rel.ledger.table} WHERE {rel.ledger.id_col} = ?", [rel_id])
