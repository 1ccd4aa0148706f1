"""The UpdateConnectors' message catalogue: English and Dutch texts, and the field labels they name.

Messages follow AFAS's published wordings where known (fact sheet §6.3: OAS-fie-post, OAS-trb,
vendors' observations); there only the Dutch twin is UNCONFIRMED. Invented wordings are marked
``# UNCONFIRMED wording`` as a whole.

A message is a pair of ``str.format`` templates (English, Dutch). A value that differs by language
is passed as a ``Pair`` (``field_label``, ``money``, a relation's noun); ``text`` picks the
request's language for the template and every ``Pair`` alike.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from afas.emulator.errors import ERR_VALIDATION, ERR_VALUE_DOES_NOT_EXIST, ProfitError, msg

__all__ = ["MESSAGES", "NL_LABELS", "Pair", "error", "field_label", "money", "text"]


class Pair(NamedTuple):
    """A value of a message in English and Dutch."""

    en: str
    nl: str


# Dutch labels of the fields named in messages (English labels come from update_fields or AFAS's
# documented messages). The Dutch ones are UNCONFIRMED (the Dutch OpenAPI files are not at hand).
NL_LABELS = {
    "Account Number": "Rekeningnummer",
    "Account feature": "Kenmerk rekening",
    "Administration": "Administratie",
    "Allocation axis": "Verbijzonderingsas",
    "Allocation code": "Verbijzonderingscode",
    "Bank account": "Bankrekening",
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
    "Journal entry number": "Nummer journaalpost",  # EnNo; "Boekstuknummer" is BpNr, the voucher number
    "Last name": "Achternaam",
    "Name": "Naam",
    "Number": "Nummer",
    "Payment condition": "Betalingsvoorwaarde",
    "Period": "Periode",
    "Period from": "Periode van",
    "Period up to and incl": "Periode tot en met",
    "Project": "Project",
    "Summary account": "Verzamelrekening",
    "Voucher date": "Boekstukdatum",
    "Voucher number": "Boekstuknummer",
    **{f"Exception axis code {n}": f"Verbijzonderingscode as {n}" for n in range(1, 6)},
}

MESSAGES: dict[str, tuple[str, str]] = {
    # The text core.py answers for a connector the app connector lacks (provenance not recorded there)
    # UNCONFIRMED wording (Dutch)
    "not_supported_connector": (
        "General message: This UpdateConnector is not supported or the user is not authorized.",
        "General message: Deze UpdateConnector wordt niet ondersteund of de gebruiker is niet geautoriseerd.",
    ),
    # The emulator's own (AFAS carries these actions out; the emulator models them for bank accounts)
    "action_not_modelled": (
        "The AFAS emulator does not carry out '@Action' '{action}' on object '{object}' "
        "(it does for KnBankAccount); send the change as its own request.",
        "De AFAS-emulator voert '@Action' '{action}' op object '{object}' niet uit "
        "(wel voor KnBankAccount); stuur de wijziging als eigen verzoek.",
    ),
    # English documented by AFAS (OAS-trb / OAS-fie-post)
    # UNCONFIRMED wording (Dutch)
    "not_exist": (
        "The entered value for '{label}' does not exist.",
        "De ingevoerde waarde voor '{label}' bestaat niet.",
    ),
    # UNCONFIRMED wording (Dutch)
    "required": ("Enter a value for '{label}'.", "Vul een waarde in voor '{label}'."),
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
    # English observed by vendors (fact sheet §6.3: "There is no assignment for cost center ...")
    # UNCONFIRMED wording (Dutch)
    "no_assignment": (
        "General message: There is no assignment for {axis} '{code}' with account '{account}' "
        "or the assignment is blocked.",
        "Algemene melding: Er is geen toewijzing voor {axis} '{code}' met rekening '{account}' "
        "of de toewijzing is geblokkeerd.",
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
        "De boeking is niet in balans. Debet {debit}, credit {credit}.",
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
        "De verbijzonderde bedragen van regel {seq} (debet {a_de}, credit {a_cr}) komen niet "
        "overeen met de regel (debet {de}, credit {cr}).",
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
    # A debtor/creditor or an organisation/person that already exists
    # UNCONFIRMED wording
    "already_exists": ("{noun} {id} already exists.", "{noun} {id} bestaat al."),
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
        "{noun} {bc_co} hoort niet bij {relation} {id}.",
    ),
    # UNCONFIRMED wording
    "party_match_on_put": (
        "To update {relation} {id}, identify its {object} with {match} 0 and BcCo, or {match} 9.",
        "Identificeer bij het wijzigen van {relation} {id} de {object} met {match} 0 en BcCo, of {match} 9.",
    ),
    # UNCONFIRMED wording
    "iban_invalid": ("The IBAN number is not valid.", "Het IBAN-nummer is ongeldig."),
    # UNCONFIRMED wording
    "relation_linked": (
        "{noun} {id} cannot be deleted because it has linked data (entries, invoices). "
        "Block the {relation} instead.",
        "{noun} {id} kan niet worden verwijderd, omdat er gegevens aan gekoppeld zijn "
        "(boekingen, facturen). Blokkeer de {relation} in plaats daarvan.",
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


def field_label(label: str) -> Pair:
    """A field's label in English and Dutch (the English one where no Dutch one is known)."""
    return Pair(label, NL_LABELS.get(label, label))


def money(value: Decimal) -> Pair:
    """An amount as messages show it: '1234.50' in English, '1234,50' in Dutch."""
    en = f"{value:.2f}"
    return Pair(en, en.replace(".", ","))


def text(lang: str, key: str, **values: Any) -> str:
    """A catalogue message in the request's language, ``Pair`` values included."""
    en, nl = MESSAGES[key]
    chosen = {k: msg(lang, v.en, v.nl) if isinstance(v, Pair) else v for k, v in values.items()}
    return msg(lang, en, nl).format(**chosen)


def error(lang: str, key: str, **values: Any) -> ProfitError:
    """The ProfitError (status 500) of a catalogue message."""
    number = ERR_VALUE_DOES_NOT_EXIST if key == "not_exist" else ERR_VALIDATION
    return ProfitError(text(lang, key, **values), error_number=number)
