"""AFAS's Dutch labels of the GetConnectors the emulator serves: what metainfo answers in Dutch.

The standard connectors' labels and descriptions are AFAS's own, as its Dutch OpenAPI description
(AFASSoftware/OASContent, OpenApiSpecs/profit/nl/Mutaties.json, version 7.7.10) gives them: each
field's description in the connector's row schema, each connector's the summary of its GET. They
are kept as AFAS writes them, odd ones too: "Admin. without admin. filter" (English in the Dutch
spec), "Org nr." beside "Nummer org./pers.", "Crediteurnr" beside "Nummer crediteur". Where the
spec's row schema and its metainfo example disagree (Profit_Administrations.AdminCd: "Administration"
against "Administratie") the metainfo example wins: it is what metainfo answers.

The two custom connectors (Recon_*) are ours: their labels are the Profit field names the README's
administrator section tells the administrator to pick."""

from __future__ import annotations

__all__ = ["DUTCH"]

_ENTRY_LINES = {
    "UnitId": "Administratie",
    "EntryNo": "Nummer journaalpost",
    "SeqNo": "Volgnummer journaalpost",
    "Year": "Jaar",
    "Period": "Periodenummer",
    "JournalId": "Code dagboek",
    "AccountNo": "Rekeningnummer",
    "AmtDebit": "Bedrag debet",
    "AmtCredit": "Bedrag credit",
    "EntryDate": "Datum boeking",
    "InvoiceId": "Factuurnummer",
    "VoucherDate": "Boekstukdatum",
    "VoucherNo": "Boekstuknummer",
    "VatCode": "Btw-code",
    "VatAmt": "Btw-bedrag",
    "Description": "Omschrijving boeking",
    "Created": "Datum toegevoegd",
    "Modified": "Datum gewijzigd",
}
"""The fields Profit_Transactions and Profit_Transactions_Allocated share, with the same labels."""

DUTCH: dict[str, tuple[str | None, dict[str, str]]] = {
    "Profit_Administrations": (
        "Administraties (Profit)",
        {
            "AdminId": "Administratie",
            "AdminNm": "Naam administratie",
            "AdminCd": "Administratie",
        },
    ),
    "Profit_Accounts": (
        "Grootboekrekeningen (Financieel)",
        {
            "Account": "Rekeningnummer",
            "Description": "Omschrijving",
            "Type": "Type rekeningcode",
            "Sort": "Soort rekening code",
            "Blocked": "Geblokkeerd",
            "CollectAccount": "Verzamelrekening",
            "CollectAccountType": "Type verzamelrekening code",
            "Feature": "Kenmerk rekening code",
            "CollectOn": "Verzamelen op",
            "VatAllowed": "Btw toestaan",
            "VatCode": "Voorkeur btw-code",
            "Budget": "Budgetteren code",
            "ToProject": "Doorboeken projecten code",
            "DimAx1": "Verbijzonderingsas 1 code",
            "DimAx2": "Verbijzonderingsas 2 code",
            "DimAx3": "Verbijzonderingsas 3 code",
            "DimAx4": "Verbijzonderingsas 4 code",
            "DimAx5": "Verbijzonderingsas 5 code",
        },
    ),
    "Profit_Journals": (
        "Dagboeken",
        {
            "UnitId": "Administratie",
            "JournalId": "Code dagboek",
            "Description": "Omschrijving",
            "JournalType": "Dagboeksoort code",
            "Blocked": "Geblokkeerd",
        },
    ),
    "Profit_periods_per_administration": (
        "Geblokkeerde perioden per administratie",
        {
            "Unit": "Admin. without admin. filter",
            "Year": "Boekjaar",
            "Period": "Periode",
            "PeriodDesc": "Omschrijving",
            "DateFrom": "Datum van",
            "DateTo": "Datum t/m",
            "Blocked": "Geblokkeerd",
            "Periodtable": "Periodetabel",
            "TableDesc": "Omschrijving",
        },
    ),
    "Profit_VAT_code": (
        "Btw-code",
        {
            "VatCode": "Btw-code",
            "Description": "Omschrijving",
            "AccountNr": "Rekening",
            "VatPerc": "Tarief",
            "VatDuty": "Btw-plicht",
            "Blocked": "Geblokkeerd",
            "VatMethod": "Berekeningsmethode",
            "VatType": "Code inkoop/verkoop code",
        },
    ),
    "Profit_Currency": (
        "Valuta",
        {
            "CurrencyId": "Valuta",
            "Currency": "Omschrijving valuta",
            "Exchange_Rate": "Koers",
            "StartDate": "Begindatum",
            "DailyRate": "Dagkoers",
        },
    ),
    "Profit_Debtor": (
        "Debiteuren",
        {
            "DebtorId": "Nummer debiteur",
            "DebtorName": "Naam debiteur",
            "BcCo": "Nummer org./pers.",
            "SearchName": "Zoeknaam",
            "AdressLine1": "Adresregel 1 (straat - huisnr)",
            "AdressLine3": "Adresregel 3 (postc - wpl)",
            "AdressLine4": "Adresregel 4 (land)",
            "TelNr": "Telefoonnr. werk",
            "Email": "E-mail werk",
            "IBAN": "IBAN-nummer",
            "VatNr": "Btw-identificatienummer",
            "ChOfCommNr": "KvK-nummer",
            "CollectAccount": "Verzamelrekening",
            "PayCon": "Betalingsvoorwaarde",
            "VatDuty": "Btw-plicht",
            "Blocked": "Geblokkeerd voor levering",
            "CreditLimit": "Kredietlimiet",
            "CurrencyId": "Valuta",
            "AutoPayment": "Automatisch incasseren",
            "CreateDate": "Aangemaakt op",
            "ModifiedDate": "Gewijzigd op",
        },
    ),
    "Profit_Creditor": (
        "Crediteuren",
        {
            "CreditorId": "Nummer crediteur",
            "CreditorName": "Crediteurnaam",
            "BcCo": "Org nr.",
            "SearchName": "Zoeknaam",
            "Adressline1": "Adresregel 1 (straat - huisnr)",
            "Adressline3": "Adresregel 3 (postc - wpl)",
            "Adressline4": "Adresregel 4 (land)",
            "TelNr": "Telefoonnr. werk",
            "Email": "E-mail werk",
            "IBAN": "IBAN-nummer",
            "Btw-nummer": "Btw-identificatienummer",
            "ChOfCommNr": "KvK-nummer",
            "PaymentCondition": "Betalingsvoorwaarde",
            "CreditLimit": "Kredietlimiet",
            "TempBlocked": "Tijdelijk blokkeren",
            "VatDuty": "Btw-plicht",
            "AutoPayment": "Automatisch betalen",
            "Blocked": "Volledig blokkeren, niet meer zichtbaar",
            "CreateDate": "Aangemaakt op",
            "ModifiedDate": "Gewijzigd op",
        },
    ),
    "Profit_Transactions": ("Financiële mutaties", _ENTRY_LINES),
    "Profit_Transactions_Allocated": (
        "Financiële mutaties",
        {
            **_ENTRY_LINES,
            "Omschrijving": "Omschrijving",
            "Type": "Type rekening",
            "Collect_On": "Type verzamelrekening",
            **{f"DimAx{n}": f"Code verbijzonderingsas {n}" for n in range(1, 6)},
        },
    ),
    "Profit_Allocation_Assigments": (
        "Verbijzonderingstoewijzing",
        {
            "Unit": "Administratie",
            "Account": "Rekeningnummer",
            "DimAx": "Verbijzonderingsas",
            "AxDescription": "Omschrijving",
            "DimCode": "Code verbijzondering",
            "CodeDescription": "Omschrijving",
        },
    ),
    "Profit_Period_balance": (
        "Grootboek (real., budg., reserv. en verpl. /pr.)",
        {
            "UnitId": "Administratie",
            "Year": "Boekjaar",
            "Period": "Periode",
            "AccountNr": "Rekeningnummer",
            "AccountDesc": "Omschrijving",
            "Credit": "Credit",
            "Debit": "Debet",
            "Balance": "Saldo",
            "Budget": "Bedrag budget",
        },
    ),
    "Profit_Balance_Allocated": (
        "Verbijzondering (real., budg., reserv. en verpl.)",
        {
            "Unit": "Administratie",
            "Year": "Boekjaar",
            "Period": "Periode",
            "Account": "Rekeningnummer",
            "DimAx": "Verbijzonderingsas",
            "Description": "Omschrijving",
            "DimCode": "Code verbijzondering",
            "Credit": "Credit",
            "Debet": "Debet",
            "Balance": "Saldo",
            "Budget": "Bedrag budget",
            "Reserved": "Saldo reservering basisvaluta",
            "Obligation": "Saldo verplichting basisvaluta",
        },
    ),
    "Profit_Debtor_Invoices": (
        "Openstaande posten debiteur",
        {
            "UnitId": "Administratie",
            "DebtorId": "Debiteurennummer",
            "InvoiceNr": "Factuurnummer",
            "NookPieceDate": "Boekstukdatum",
            "ExpDate": "Vervaldatum",
            "CurrencyId": "Valuta",
            "AmtInvoice": "Totaal factuurbedrag",
            "AmtInvoiceCurr": "Totaal factuurbedrag valuta",
            "Balance": "Saldo",
            "BalanceCurr": "Saldo (valuta)",
            "Description": "Omschrijving factuur",
        },
    ),
    "Profit_Creditor_Invoices": (
        "Openstaande posten crediteur",
        {
            "UnitId": "Administratie",
            "CreditorId": "Crediteurnr",
            "InvoiceNr": "Factuurnummer",
            "BookPiecrNr": "Boekstuknummer",
            "BookPieceDate": "Factuurdatum",
            "CurrencyId": "Valuta",
            "AmtInvoice": "Totaal factuurbedrag",
            "AmtInvoiceCurr": "Totaal factuurbedrag valuta",
            "ExpDate": "Vervaldatum",
            "Description": "Omschrijving factuur",
            "Blocked": "Geblokkeerd voor betaling/incasso",
        },
    ),
    "Profit_Fin_ChangedEntrydate": (
        "Gewijzigde boekingsdagen mutaties",
        {
            "EntryDate": "Datum boeking",
            "Modified": "Datum gewijzigd",
        },
    ),
    "Recon_PaymentConditions": (
        None,
        {
            "PaymentConditionId": "Betalingsvoorwaarde",
            "Description": "Omschrijving",
            "DaysNet": "Aantal dagen",
            "DiscountDays": "Dagen betalingskorting",
            "DiscountPerc": "Percentage betalingskorting",
            "Blocked": "Geblokkeerd",
        },
    ),
    "Recon_AllocationCodes": (
        None,
        {
            "AxisId": "Verbijzonderingsas",
            "AxisDescription": "Omschrijving",
            "AllocationCode": "Verbijzonderingscode",
            "Description": "Omschrijving",
            "SelectionValue": "Selectiewaarde",
            "Blocked": "Geblokkeerd",
            "Modified": "Gewijzigd op",
        },
    ),
}
"""Connector id -> (Dutch description, or None to keep the English one; field id -> Dutch label)."""
