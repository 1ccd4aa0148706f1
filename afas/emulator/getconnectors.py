"""The GetConnectors the emulator serves: their fields, as AFAS's metainfo describes them, and
the SQL that produces their rows from the emulator's tables (afas/emulator/store.py).

Field ids, order and JSON types of the standard connectors follow AFAS's official OpenAPI
description (Mutaties, version 6.6.9); labels are its English descriptions. Dates are strings in
the rows ("2025-01-31T00:00:00Z", the Z being Amsterdam local time) and ``date`` in metainfo.
Internal ``fieldId``s are not published by AFAS except for Profit_Administrations (U002, U001,
UnCo); the others are numbered U001... in field order.

The two custom connectors (``Recon_*``) are the ones our README asks the AFAS administrator to
create, for what no standard connector offers: payment conditions and allocation codes per axis.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GField", "GetConnectorDef", "GET_CONNECTORS", "CUSTOM_GET_CONNECTORS", "STANDARD_GET_CONNECTORS"]


@dataclass(frozen=True)
class GField:
    id: str  # the row key and filter/sort id
    data_type: str  # AFAS metainfo dataType: string | int | decimal | boolean | date
    label: str
    length: int
    decimals: int
    sql: str  # expression over the connector's FROM clause
    field_id: str = ""  # AFAS internal field id (metainfo "fieldId")
    control_type: int = 1


@dataclass(frozen=True)
class GetConnectorDef:
    id: str
    description: str
    fields: tuple[GField, ...]
    source: str  # FROM ... [WHERE/GROUP BY ...] clause producing the fields
    key: tuple[str, ...]  # a unique key (the emulator's default order)
    unit_sql: str | None  # expression giving the administration, for the token's administration filter
    custom: bool = False

    def field(self, field_id: str) -> GField | None:
        for f in self.fields:
            if f.id.lower() == field_id.lower():
                return f
        return None


def _f(
    id_: str,
    dt: str,
    label: str,
    length: int,
    sql: str,
    decimals: int = 0,
    field_id: str = "",
    control_type: int = 1,
) -> GField:
    return GField(
        id_,
        dt,
        label,
        length,
        2 if dt == "decimal" and decimals == 0 else decimals,
        sql,
        field_id,
        control_type,
    )


def _numbered(fields: list[GField]) -> tuple[GField, ...]:
    out = []
    for i, f in enumerate(fields, start=1):
        out.append(
            f
            if f.field_id
            else GField(f.id, f.data_type, f.label, f.length, f.decimals, f.sql, f"U{i:03d}", f.control_type)
        )
    return tuple(out)


def _connector(
    id_: str,
    description: str,
    fields: list[GField],
    source: str,
    key: tuple[str, ...],
    unit_sql: str | None,
    custom: bool = False,
) -> GetConnectorDef:
    return GetConnectorDef(id_, description, _numbered(fields), source, key, unit_sql, custom)


_ADDRESS1 = "trim(concat_ws(' ', p.street, p.house_nr, p.house_add))"
_ADDRESS3 = "trim(concat_ws('  ', p.zip, p.city))"
_COUNTRY = (
    "CASE p.country WHEN 'NL' THEN 'Nederland' WHEN 'B' THEN 'België' WHEN 'D' THEN 'Duitsland' "
    "WHEN 'GB' THEN 'Verenigd Koninkrijk' WHEN 'F' THEN 'Frankrijk' ELSE p.country END"
)


def _entry_line_fields(
    p: str,
    *,
    extra_after_account: list[GField] | None = None,
    debit: str | None = None,
    credit: str | None = None,
) -> list[GField]:
    """The fields Profit_Transactions and Profit_Transactions_Allocated share, over entry_line ``p``."""
    return [
        _f("UnitId", "int", "Administration", 3, f"{p}unit", control_type=5),
        _f("EntryNo", "int", "Journal entry number", 9, f"{p}entry_no"),
        _f("SeqNo", "int", "Journal entry sequence number", 9, f"{p}seq_no"),
        _f("Year", "int", "Year", 4, f"{p}year"),
        _f("Period", "int", "Periodenummer", 3, f"{p}period"),
        _f("JournalId", "string", "Journal code", 6, f"{p}journal_id"),
        _f("AccountNo", "string", "Account number", 16, f"{p}account_no"),
        *(extra_after_account or []),
        _f("AmtDebit", "decimal", "Amount debit", 18, debit or f"{p}amt_debit"),
        _f("AmtCredit", "decimal", "Amount credit", 18, credit or f"{p}amt_credit"),
        _f("EntryDate", "date", "Date entry", 10, f"{p}entry_date"),
        _f("InvoiceId", "string", "Invoice number", 12, f"{p}invoice_id"),
        _f("VoucherDate", "date", "Voucher date", 10, f"{p}voucher_date"),
        _f("VoucherNo", "string", "Entry number", 32, f"{p}voucher_no"),
        _f("VatCode", "string", "VAT code", 3, f"{p}vat_code"),
        _f("VatAmt", "decimal", "VAT amount", 18, f"{p}vat_amt"),
        _f("Description", "string", "Description entry", 255, f"{p}description"),
        _f("Created", "date", "Date created", 20, f"{p}created"),
        _f("Modified", "date", "Date changed", 20, f"{p}modified"),
    ]


_ALLOCATED_LINES = """
    FROM entry_line l
    JOIN account a ON a.account = l.account_no
    LEFT JOIN entry_alloc d USING (unit, entry_no, seq_no)
"""

STANDARD_GET_CONNECTORS: tuple[GetConnectorDef, ...] = (
    _connector(
        "Profit_Administrations",
        "Administrations (Profit)",
        [
            _f("AdminId", "int", "Administration", 3, "unit", field_id="U002", control_type=5),
            _f("AdminNm", "string", "Administration name", 80, "name", field_id="U001"),
            _f("AdminCd", "string", "Administration", 10, "code", field_id="UnCo"),
        ],
        "FROM administration",
        ("AdminId",),
        "unit",
    ),
    _connector(
        "Profit_Accounts",
        "Ledger accounts (Financial)",
        [
            _f("Account", "string", "Account number", 16, "account"),
            _f("Description", "string", "Description", 50, "description"),
            _f("Type", "string", "Type rekeningcode", 20, "type", control_type=5),
            _f("Sort", "string", "Soort rekening code", 20, "sort", control_type=5),
            _f("Blocked", "boolean", "Blocked", 1, "blocked"),
            _f("CollectAccount", "boolean", "Summary account", 1, "collect_account"),
            _f(
                "CollectAccountType",
                "string",
                "Type verzamelrekening code",
                20,
                "collect_account_type",
                control_type=5,
            ),
            _f("Feature", "string", "Kenmerk rekening code", 20, "feature", control_type=5),
            _f("CollectOn", "string", "Collect on", 16, "collect_on"),
            _f("VatAllowed", "boolean", "Allow VAT", 1, "vat_allowed"),
            _f("VatCode", "string", "Preferred VAT code", 3, "vat_code"),
            _f("Budget", "string", "Budgetteren code", 20, "budget", control_type=5),
            _f("ToProject", "string", "Doorboeken projecten code", 20, "to_project", control_type=5),
            *[
                _f(f"DimAx{i}", "string", f"Verbijzonderingsas {i} code", 20, f"dim_ax{i}", control_type=5)
                for i in range(1, 6)
            ],
        ],
        "FROM account",
        ("Account",),
        None,
    ),
    _connector(
        "Profit_Journals",
        "Journals",
        [
            _f("UnitId", "int", "Administration", 3, "unit", control_type=5),
            _f("JournalId", "string", "Journal code", 6, "journal_id"),
            _f("Description", "string", "Description", 50, "description"),
            _f("JournalType", "string", "Dagboeksoort code", 20, "journal_type", control_type=5),
            _f("Blocked", "boolean", "Blocked", 1, "blocked"),
        ],
        "FROM journal",
        ("UnitId", "JournalId"),
        "unit",
    ),
    _connector(
        "Profit_periods_per_administration",
        "Blocked periods per administration",
        [
            _f("Unit", "int", "Admin. without admin. filter", 3, "unit", control_type=5),
            _f("Year", "int", "Financial year", 4, "year"),
            _f("Period", "int", "Period", 3, "period"),
            _f("PeriodDesc", "string", "Description", 50, "description"),
            _f("DateFrom", "date", "Date from", 10, "date_from"),
            _f("DateTo", "date", "Date up to and incl", 10, "date_to"),
            _f("Blocked", "boolean", "Blocked", 1, "blocked"),
            _f("Periodtable", "int", "Period table", 3, "period_table"),
            _f("TableDesc", "string", "Description", 50, "table_desc"),
        ],
        "FROM period",
        ("Unit", "Year", "Period"),
        None,
    ),  # "without admin. filter": all administrations
    _connector(
        "Profit_VAT_code",
        "VAT code",
        [
            _f("VatCode", "string", "VAT code", 3, "vat_code"),
            _f("Description", "string", "Description", 50, "description"),
            _f("AccountNr", "string", "Account", 16, "account_nr"),
            _f("VatPerc", "decimal", "Rate", 5, "vat_perc"),
            _f("VatDuty", "string", "VAT duty", 3, "vat_duty", control_type=5),
            _f("Blocked", "boolean", "Blocked", 1, "blocked"),
            _f("VatMethod", "string", "Berekeningsmethode", 20, "vat_method", control_type=5),
            _f("VatType", "string", "Code inkoop/verkoop code", 20, "vat_type", control_type=5),
        ],
        "FROM vat_code",
        ("VatCode",),
        None,
    ),
    _connector(
        "Profit_Currency",
        "Currency",
        [
            _f("CurrencyId", "string", "Currency", 3, "currency_id"),
            _f("Currency", "string", "Currency description", 50, "description"),
            _f("Exchange_Rate", "decimal", "Exchange rate", 18, "exchange_rate", decimals=10),
            _f("StartDate", "date", "Start date", 10, "start_date"),
            _f("DailyRate", "decimal", "Current rate", 18, "daily_rate", decimals=10),
        ],
        "FROM currency",
        ("CurrencyId",),
        None,
    ),
    _connector(
        "Profit_Debtor",
        "Debtors",
        [
            _f("DebtorId", "string", "Debtor number", 16, "d.debtor_id"),
            _f("DebtorName", "string", "Debtor name", 255, "p.name"),
            _f("BcCo", "string", "Nummer org./pers.", 15, "d.bc_co"),
            _f("SearchName", "string", "Search name", 10, "p.search_name"),
            _f("AdressLine1", "string", "Address line 1 (street - house number)", 255, _ADDRESS1),
            _f("AdressLine3", "string", "Address line 3 (postcode - city)", 255, _ADDRESS3),
            _f("AdressLine4", "string", "Address line 4 (country)", 255, _COUNTRY),
            _f("TelNr", "string", "Work phone no.", 30, "p.phone"),
            _f("Email", "string", "Work e-mail", 255, "p.email"),
            _f("IBAN", "string", "IBAN number", 40, "p.iban"),
            _f("VatNr", "string", "VAT identification number", 21, "d.vat_id"),
            _f("ChOfCommNr", "string", "COC number", 30, "p.coc_nr"),
            _f("CollectAccount", "string", "Summary account", 16, "d.collect_account"),
            _f("PayCon", "string", "Payment condition", 5, "d.pay_con"),
            _f("VatDuty", "string", "VAT duty", 3, "d.vat_duty", control_type=5),
            _f("Blocked", "boolean", "Blocked for delivery", 1, "d.blocked"),
            _f("CreditLimit", "decimal", "Credit limit", 18, "d.credit_limit"),
            _f("CurrencyId", "string", "Currency", 3, "d.currency_id"),
            _f("AutoPayment", "boolean", "Automatically collect", 1, "d.auto_payment"),
            _f("CreateDate", "date", "Created on", 20, "d.created"),
            _f("ModifiedDate", "date", "Changed on", 20, "d.modified"),
        ],
        "FROM debtor d JOIN party p USING (bc_co)",
        ("DebtorId",),
        None,
    ),
    _connector(
        "Profit_Creditor",
        "Creditors",
        [
            _f("CreditorId", "string", "Creditor number", 16, "c.creditor_id"),
            _f("CreditorName", "string", "Creditor name", 255, "p.name"),
            _f("BcCo", "string", "Org nr.", 15, "c.bc_co"),
            _f("SearchName", "string", "Search name", 10, "p.search_name"),
            _f("Adressline1", "string", "Address line 1 (street - house number)", 255, _ADDRESS1),
            _f("Adressline3", "string", "Address line 3 (postcode - city)", 255, _ADDRESS3),
            _f("Adressline4", "string", "Address line 4 (country)", 255, _COUNTRY),
            _f("TelNr", "string", "Work phone no.", 30, "p.phone"),
            _f("Email", "string", "Work e-mail", 255, "p.email"),
            _f("IBAN", "string", "IBAN number", 40, "p.iban"),
            _f("Btw-nummer", "string", "VAT identification number", 21, "c.vat_id"),
            _f("ChOfCommNr", "string", "COC number", 30, "p.coc_nr"),
            _f("PaymentCondition", "string", "Betalingsvoorwaarde", 5, "c.pay_con"),
            _f("CreditLimit", "decimal", "Credit limit", 18, "c.credit_limit"),
            _f("TempBlocked", "boolean", "Block temporarily", 1, "c.temp_blocked"),
            _f("VatDuty", "string", "VAT duty", 3, "c.vat_duty", control_type=5),
            _f("AutoPayment", "boolean", "Automatic payment", 1, "c.auto_payment"),
            _f("Blocked", "boolean", "Block completely, no longer visible", 1, "c.blocked"),
            _f("CreateDate", "date", "Created on", 20, "c.created"),
            _f("ModifiedDate", "date", "Changed on", 20, "c.modified"),
        ],
        "FROM creditor c JOIN party p USING (bc_co)",
        ("CreditorId",),
        None,
    ),
    _connector(
        "Profit_Transactions",
        "Financial entries",
        _entry_line_fields(""),
        "FROM entry_line",
        ("UnitId", "EntryNo", "SeqNo"),
        "unit",
    ),
    _connector(
        "Profit_Transactions_Allocated",
        "Financial entries",
        [
            *_entry_line_fields(
                "l.",
                extra_after_account=[_f("Omschrijving", "string", "Description", 50, "a.description")],
                debit="coalesce(d.amt_debit, l.amt_debit)",
                credit="coalesce(d.amt_credit, l.amt_credit)",
            ),
            _f("Type", "string", "Type rekening", 20, "a.type", control_type=5),
            _f("Collect_On", "string", "Type verzamelrekening", 20, "a.collect_account_type", control_type=5),
            *[_f(f"DimAx{i}", "string", f"Exception axis code {i}", 16, f"d.dim{i}") for i in range(1, 6)],
        ],
        _ALLOCATED_LINES,
        ("UnitId", "EntryNo", "SeqNo", "DimAx1", "DimAx2", "DimAx3", "DimAx4", "DimAx5"),
        "l.unit",
    ),
    _connector(
        "Profit_Allocation_Assigments",
        "Allocation assignment",
        [
            _f("Unit", "int", "Administration", 3, "s.unit", control_type=5),
            _f("Account", "string", "Account number", 16, "s.account"),
            _f("DimAx", "string", "Allocation axis", 1, "CAST(s.ax_id AS VARCHAR)", control_type=5),
            _f("AxDescription", "string", "Description", 50, "x.description"),
            _f("DimCode", "string", "Allocation code", 16, "s.code"),
            _f("CodeDescription", "string", "Description", 50, "c.description"),
        ],
        "FROM allocation_assignment s JOIN allocation_axis x ON x.ax_id = s.ax_id "
        "JOIN allocation_code c ON c.ax_id = s.ax_id AND c.code = s.code",
        ("Unit", "Account", "DimAx", "DimCode"),
        "s.unit",
    ),
    _connector(
        "Profit_Period_balance",
        "Ledger book (real, budg. reserv. and obl.) /pr.)",
        [
            _f("UnitId", "int", "Administration", 3, "b.unit", control_type=5),
            _f("Year", "int", "Financial year", 4, "b.year"),
            _f("Period", "int", "Period", 3, "b.period"),
            _f("AccountNr", "string", "Account number", 16, "b.account_no"),
            _f("AccountDesc", "string", "Description", 50, "a.description"),
            _f("Credit", "decimal", "Credit", 18, "b.credit"),
            _f("Debit", "decimal", "Debit", 18, "b.debit"),
            _f("Balance", "decimal", "Balance", 18, "b.debit - b.credit"),
            _f("Budget", "decimal", "Bedrag budget", 18, "CAST(NULL AS DECIMAL(18, 2))"),
        ],
        "FROM (SELECT unit, year, period, account_no, sum(amt_debit) AS debit, sum(amt_credit) AS credit "
        "FROM entry_line GROUP BY ALL) b JOIN account a ON a.account = b.account_no",
        ("UnitId", "Year", "Period", "AccountNr"),
        "b.unit",
    ),
    _connector(
        "Profit_Balance_Allocated",
        "Allocation (real, budg. reserv. and obl.)",
        [
            _f("Unit", "int", "Administration", 3, "b.unit", control_type=5),
            _f("Year", "int", "Financial year", 4, "b.year"),
            _f("Period", "int", "Period", 3, "b.period"),
            _f("Account", "string", "Account number", 16, "b.account_no"),
            _f("DimAx", "string", "Allocation axis", 1, "CAST(b.ax_id AS VARCHAR)", control_type=5),
            _f("Description", "string", "Description", 50, "c.description"),
            _f("DimCode", "string", "Allocation code", 16, "b.code"),
            _f("Credit", "decimal", "Credit", 18, "b.credit"),
            _f("Debet", "decimal", "Debit", 18, "b.debit"),
            _f("Balance", "decimal", "Balance", 18, "b.debit - b.credit"),
            _f("Budget", "decimal", "Bedrag budget", 18, "CAST(NULL AS DECIMAL(18, 2))"),
            _f("Reserved", "decimal", "Saldo reservering basisvaluta", 18, "CAST(0 AS DECIMAL(18, 2))"),
            _f("Obligation", "decimal", "Saldo verplichting basisvaluta", 18, "CAST(0 AS DECIMAL(18, 2))"),
        ],
        """FROM (
            SELECT l.unit, l.year, l.period, l.account_no, u.ax_id, u.code,
                   sum(d.amt_debit) AS debit, sum(d.amt_credit) AS credit
            FROM entry_alloc d JOIN entry_line l USING (unit, entry_no, seq_no)
            CROSS JOIN LATERAL (VALUES (1, d.dim1), (2, d.dim2), (3, d.dim3), (4, d.dim4), (5, d.dim5))
                AS u(ax_id, code)
            WHERE u.code IS NOT NULL
            GROUP BY ALL) b
          LEFT JOIN allocation_code c ON c.ax_id = b.ax_id AND c.code = b.code""",
        ("Unit", "Year", "Period", "Account", "DimAx", "DimCode"),
        "b.unit",
    ),
    _connector(
        "Profit_Debtor_Invoices",
        "Outstanding items debtor",
        [
            _f("UnitId", "int", "Administration", 3, "unit", control_type=5),
            _f("DebtorId", "string", "Debiteurennummer", 16, "ac_nr"),
            _f("InvoiceNr", "string", "Invoice number", 12, "invoice_id"),
            _f("NookPieceDate", "date", "Voucher date", 10, "voucher_date"),
            _f("ExpDate", "date", "Expiry date", 10, "due_date"),
            _f("CurrencyId", "string", "Currency", 3, "currency_id"),
            _f("AmtInvoice", "decimal", "Total invoice amount", 18, "amt_invoice"),
            _f("AmtInvoiceCurr", "decimal", "Total invoice amount foreign currency", 18, "amt_invoice"),
            _f("Balance", "decimal", "Balance", 18, "balance"),
            _f("BalanceCurr", "decimal", "Balance (currency)", 18, "balance"),
            _f("Description", "string", "Invoice description", 255, "description"),
        ],
        """FROM (
            SELECT unit, ac_nr, invoice_id,
                   arg_min(voucher_date, entry_no) AS voucher_date, max(due_date) AS due_date,
                   coalesce(arg_min(currency_id, entry_no), 'EUR') AS currency_id,
                   sum(CASE WHEN entry_no = first_entry THEN amt_debit - amt_credit END) AS amt_invoice,
                   sum(amt_debit - amt_credit) AS balance,
                   arg_min(description, entry_no) AS description
            FROM (SELECT *, min(entry_no) OVER (PARTITION BY unit, ac_nr, invoice_id) AS first_entry
                  FROM entry_line WHERE va_as = 2 AND invoice_id IS NOT NULL)
            GROUP BY unit, ac_nr, invoice_id
            HAVING sum(amt_debit - amt_credit) <> 0)""",
        ("UnitId", "DebtorId", "InvoiceNr"),
        "unit",
    ),
    _connector(
        "Profit_Creditor_Invoices",
        "Outstanding items creditor",
        [
            _f("UnitId", "int", "Administration", 3, "unit", control_type=5),
            _f("CreditorId", "string", "Crediteurnr", 16, "ac_nr"),
            _f("InvoiceNr", "string", "Invoice number", 12, "invoice_id"),
            _f("BookPiecrNr", "string", "Entry number", 32, "voucher_no"),
            _f("BookPieceDate", "date", "Factuurdatum", 10, "voucher_date"),
            _f("CurrencyId", "string", "Currency", 3, "currency_id"),
            _f("AmtInvoice", "decimal", "Total invoice amount", 18, "amt_invoice"),
            _f("AmtInvoiceCurr", "decimal", "Total invoice amount foreign currency", 18, "amt_invoice"),
            _f("ExpDate", "date", "Expiry date", 10, "due_date"),
            _f("Description", "string", "Invoice description", 255, "description"),
            _f("Blocked", "boolean", "Blocked for payment/collection", 1, "false"),
        ],
        """FROM (
            SELECT unit, ac_nr, invoice_id,
                   arg_min(voucher_no, entry_no) AS voucher_no,
                   arg_min(voucher_date, entry_no) AS voucher_date, max(due_date) AS due_date,
                   coalesce(arg_min(currency_id, entry_no), 'EUR') AS currency_id,
                   sum(CASE WHEN entry_no = first_entry THEN amt_credit - amt_debit END) AS amt_invoice,
                   arg_min(description, entry_no) AS description
            FROM (SELECT *, min(entry_no) OVER (PARTITION BY unit, ac_nr, invoice_id) AS first_entry
                  FROM entry_line WHERE va_as = 3 AND invoice_id IS NOT NULL)
            GROUP BY unit, ac_nr, invoice_id
            HAVING sum(amt_credit - amt_debit) <> 0)""",
        ("UnitId", "CreditorId", "InvoiceNr"),
        "unit",
    ),
    _connector(
        "Profit_Fin_ChangedEntrydate",
        "Changed entry day entries",
        [
            _f("EntryDate", "date", "Entry date", 10, "entry_date"),
            _f("Modified", "date", "Date changed", 20, "modified"),
        ],
        "FROM changed_entry_date",
        ("EntryDate",),
        None,
    ),
)

CUSTOM_GET_CONNECTORS: tuple[GetConnectorDef, ...] = (
    _connector(
        "Recon_PaymentConditions",
        "Recon: payment conditions",
        [
            _f("PaymentConditionId", "string", "Payment condition", 5, "code"),
            _f("Description", "string", "Description", 50, "description"),
            _f("DaysNet", "int", "Number of days", 4, "days"),
            _f("DiscountDays", "int", "Days payment discount", 4, "discount_days"),
            _f("DiscountPerc", "decimal", "Payment discount %", 5, "discount_perc"),
            _f("Blocked", "boolean", "Blocked", 1, "blocked"),
        ],
        "FROM payment_condition",
        ("PaymentConditionId",),
        None,
        custom=True,
    ),
    _connector(
        "Recon_AllocationCodes",
        "Recon: allocation codes per axis",
        [
            _f("AxisId", "int", "Allocation axis", 1, "c.ax_id", control_type=5),
            _f("AxisDescription", "string", "Allocation axis description", 50, "x.description"),
            _f("AllocationCode", "string", "Allocation code", 16, "c.code"),
            _f("Description", "string", "Description", 50, "c.description"),
            _f("SelectionValue", "string", "Selection value", 20, "c.selection"),
            _f("Blocked", "boolean", "Blocked", 1, "c.blocked"),
            _f("Modified", "date", "Changed on", 20, "c.modified"),
        ],
        "FROM allocation_code c JOIN allocation_axis x ON x.ax_id = c.ax_id WHERE x.active",
        ("AxisId", "AllocationCode"),
        None,
        custom=True,
    ),
)

GET_CONNECTORS: dict[str, GetConnectorDef] = {
    c.id: c for c in (*STANDARD_GET_CONNECTORS, *CUSTOM_GET_CONNECTORS)
}
