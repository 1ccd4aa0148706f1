"""A master-data file (customers, suppliers, allocation codes from another system) as a DuckDB table,
with its columns matched to AFAS's fields, ready for :func:`afas.recon.compare.compare_master_data`.

The file is read like a ledger (CSV, Excel, Parquet; any encoding and delimiter, with the same size
limits and workbook guards) and kept as text columns in a table named after the file's content hash,
so loading the same file twice is free. :func:`load_master_table` takes a file already read (the
dashboard reads an upload once, see :mod:`afas.recon.staging`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import duckdb

from afas.i18n import mark, tr
from afas.recon.readers import LedgerFileError, read_ledger_table
from afas.recon.tables import TextTable, column_name
from afas.warehouse.schema import quote_ident

__all__ = ["KINDS", "MasterFile", "MasterKind", "load_master_file", "load_master_table", "suggest_columns"]


@dataclass(frozen=True)
class MasterKind:
    title: str  # what the user calls the kind, in English (marked; ``label`` is in the session's language)
    afas_table: str
    key: str  # the AFAS key field a file row is joined on
    name: str  # the AFAS field with the relation's (or code's) name
    fields: tuple[str, ...]  # AFAS fields that can be compared (and corrected)
    sales: bool | None  # customers True, suppliers False, allocation codes None

    @property
    def label(self) -> str:
        """What the user calls the kind, in the session's language."""
        return tr(self.title)


KINDS: dict[str, MasterKind] = {
    "customers": MasterKind(
        mark("Customers (debtors)"),
        "Profit_Debtor",
        "DebtorId",
        "DebtorName",
        (
            "DebtorName",
            "Email",
            "TelNr",
            "IBAN",
            "VatNr",
            "ChOfCommNr",
            "PayCon",
            "CurrencyId",
            "CreditLimit",
        ),
        True,
    ),
    "suppliers": MasterKind(
        mark("Suppliers (creditors)"),
        "Profit_Creditor",
        "CreditorId",
        "CreditorName",
        (
            "CreditorName",
            "Email",
            "TelNr",
            "IBAN",
            "Btw-nummer",
            "ChOfCommNr",
            "PaymentCondition",
            "CreditLimit",
        ),
        False,
    ),
    "codes": MasterKind(
        mark("Allocation codes"),
        "Recon_AllocationCodes",
        "AllocationCode",
        "Description",
        ("Description",),
        None,
    ),
}

# Header names (lower case, letters and digits only) other systems use for each AFAS field.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "DebtorId": (
        "debtorid",
        "debiteur",
        "debiteurnummer",
        "debiteurnr",
        "klantnummer",
        "klantnr",
        "customerid",
        "customernumber",
        "customerno",
        "relatienummer",
        "nummer",
        "number",
        "id",
    ),
    "CreditorId": (
        "creditorid",
        "crediteur",
        "crediteurnummer",
        "crediteurnr",
        "leveranciersnummer",
        "leveranciernummer",
        "supplierid",
        "suppliernumber",
        "vendorid",
        "relatienummer",
        "nummer",
        "number",
        "id",
    ),
    "DebtorName": ("debtorname", "naam", "name", "klantnaam", "customername", "bedrijfsnaam", "company"),
    "CreditorName": (
        "creditorname",
        "naam",
        "name",
        "leveranciersnaam",
        "suppliername",
        "bedrijfsnaam",
        "company",
    ),
    "Email": ("email", "emailadres", "mail", "emailaddress"),
    "TelNr": ("telnr", "telefoon", "telefoonnummer", "phone", "telephone", "tel"),
    "IBAN": ("iban", "rekeningnummer", "bankrekening", "bankaccount"),
    "VatNr": ("vatnr", "btwnummer", "btwnr", "vatnumber", "vatid", "btwid"),
    "Btw-nummer": ("btwnummer", "btwnr", "vatnumber", "vatnr", "vatid", "btwid"),
    "ChOfCommNr": ("chofcommnr", "kvk", "kvknummer", "kvknr", "cocnumber", "chamberofcommerce"),
    "PayCon": ("paycon", "betalingsconditie", "betalingstermijn", "paymentterms", "paymentcondition"),
    "PaymentCondition": ("paymentcondition", "betalingsconditie", "betalingstermijn", "paymentterms"),
    "CurrencyId": ("currencyid", "valuta", "currency"),
    "CreditLimit": ("creditlimit", "kredietlimiet", "kredietlimit"),
    "AllocationCode": ("allocationcode", "code", "kostenplaats", "kostendrager", "costcentre", "costcenter"),
    "Description": ("description", "omschrijving", "naam", "name"),
}


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def suggest_columns(kind: MasterKind, headers: list[str]) -> dict[str, str]:
    """AFAS field -> file column, from the file's header names (Dutch and English)."""
    by_norm = {_norm(h): h for h in headers}
    out: dict[str, str] = {}
    for fld in (kind.key, *kind.fields):
        for candidate in (_norm(fld), *_SYNONYMS.get(fld, ())):
            header = by_norm.get(candidate)
            if header is not None and header not in out.values():
                out[fld] = header
                break
    return out


@dataclass(frozen=True)
class MasterFile:
    table: str
    headers: list[str]
    rows: int


def load_master_file(
    con: duckdb.DuckDBPyConnection, data: bytes, file_name: str, sheet: str | int | None = None
) -> MasterFile:
    """Read the file and keep it as a text table; LedgerFileError says what is wrong with the file."""
    table = read_ledger_table(data, file_name, sheet)
    return load_master_table(con, table, file_name, hashlib.sha256(data).hexdigest())


def load_master_table(
    con: duckdb.DuckDBPyConnection, table: TextTable, file_name: str | None = None, sha256: str | None = None
) -> MasterFile:
    """Keep a file already read as a text table named after its content hash (one bulk copy)."""
    file_name = file_name or table.file_name or tr("The file")
    if table.file_format in ("mt940", "camt053"):
        raise LedgerFileError(
            tr("{name} is a bank statement; master data comes as a list of relations or codes.").format(
                name=file_name
            )
        )
    if not table.num_rows:
        raise LedgerFileError(tr("{name} holds no rows below its header.").format(name=file_name))
    digest = sha256 or table.sha256
    assert digest, "a master file is named after its content hash"
    name = "master_file_" + digest[:12]
    columns = ", ".join(f"{column_name(i)} AS {quote_ident(h)}" for i, h in enumerate(table.headers))
    with table.scan(con) as src:
        con.execute(
            f"CREATE OR REPLACE TABLE {quote_ident(name)} AS SELECT {columns} FROM {src} ORDER BY row_no"
        )
    return MasterFile(name, list(table.headers), table.num_rows)
