"""The AFAS connectors this product uses, what each is for, and the unique key we page on.

Tenants rename things (vendors install their own GetConnector packages), so every id can be mapped
to the tenant's own with :class:`ConnectorIds`. The two custom GetConnectors are the ones the
README asks the AFAS administrator to create (payment conditions, allocation codes per axis).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from afas.i18n import mark

__all__ = [
    "GetConnectorSpec",
    "UpdateConnectorSpec",
    "GET_CONNECTORS",
    "UPDATE_CONNECTORS",
    "ConnectorIds",
    "spec_for",
]


@dataclass(frozen=True)
class GetConnectorSpec:
    id: str
    purpose: str  # what the product uses it for, in plain words
    key: tuple[str, ...]  # a unique key: paging sorts on it and continues after its last value
    custom: bool = False
    per_administration: bool = True  # rows carry an administration number
    partition_fields: tuple[str, ...] = ()  # filters that split it into slices (large connectors)
    changed_by_entry_date: bool = False  # Profit_Fin_ChangedEntrydate says which EntryDate to refetch


@dataclass(frozen=True)
class UpdateConnectorSpec:
    id: str
    purpose: str


GET_CONNECTORS: tuple[GetConnectorSpec, ...] = (
    GetConnectorSpec("Profit_Administrations", mark("the administrations the token may see"), ("AdminId",)),
    GetConnectorSpec(
        "Profit_Accounts",
        mark("the chart of accounts (ledger accounts)"),
        ("Account",),
        per_administration=False,
    ),
    GetConnectorSpec("Profit_Journals", mark("journals per administration"), ("UnitId", "JournalId")),
    GetConnectorSpec(
        "Profit_periods_per_administration", mark("periods and which are blocked"), ("Unit", "Year", "Period")
    ),
    GetConnectorSpec("Profit_VAT_code", mark("VAT codes"), ("VatCode",), per_administration=False),
    GetConnectorSpec("Profit_Currency", mark("currencies"), ("CurrencyId",), per_administration=False),
    GetConnectorSpec("Profit_Debtor", mark("customers (debtors)"), ("DebtorId",), per_administration=False),
    GetConnectorSpec(
        "Profit_Creditor", mark("suppliers (creditors)"), ("CreditorId",), per_administration=False
    ),
    GetConnectorSpec(
        "Profit_Transactions",
        mark("journal entry lines"),
        ("UnitId", "EntryNo", "SeqNo"),
        partition_fields=("UnitId", "Year", "Period"),
        changed_by_entry_date=True,
    ),
    GetConnectorSpec(
        "Profit_Transactions_Allocated",
        mark("journal entry lines with allocation codes"),
        ("UnitId", "EntryNo", "SeqNo", "DimAx1", "DimAx2", "DimAx3", "DimAx4", "DimAx5"),
        partition_fields=("UnitId", "Year", "Period"),
        changed_by_entry_date=True,
    ),
    GetConnectorSpec(
        "Profit_Allocation_Assigments",
        mark("which allocation codes each account allows"),
        ("Unit", "Account", "DimAx", "DimCode"),
    ),
    GetConnectorSpec(
        "Profit_Period_balance",
        mark("balances per account and period (trial balance)"),
        ("UnitId", "Year", "Period", "AccountNr"),
    ),
    GetConnectorSpec(
        "Profit_Balance_Allocated",
        mark("balances per allocation code"),
        ("Unit", "Year", "Period", "Account", "DimAx", "DimCode"),
    ),
    GetConnectorSpec(
        "Profit_Debtor_Invoices", mark("open items of customers"), ("UnitId", "DebtorId", "InvoiceNr")
    ),
    GetConnectorSpec(
        "Profit_Creditor_Invoices", mark("open items of suppliers"), ("UnitId", "CreditorId", "InvoiceNr")
    ),
    GetConnectorSpec(
        "Profit_Fin_ChangedEntrydate",
        mark("entry dates with changes, for incremental refresh"),
        ("EntryDate",),
        per_administration=False,
    ),
    GetConnectorSpec(
        "Recon_PaymentConditions",
        mark("payment conditions (custom GetConnector)"),
        ("PaymentConditionId",),
        custom=True,
        per_administration=False,
    ),
    GetConnectorSpec(
        "Recon_AllocationCodes",
        mark("allocation codes per axis (custom GetConnector)"),
        ("AxisId", "AllocationCode"),
        custom=True,
        per_administration=False,
    ),
)

UPDATE_CONNECTORS: tuple[UpdateConnectorSpec, ...] = (
    UpdateConnectorSpec("KnPurchaseRelationOrg", mark("create and change suppliers that are organisations")),
    UpdateConnectorSpec("KnPurchaseRelationPer", mark("create and change suppliers that are persons")),
    UpdateConnectorSpec("KnSalesRelationOrg", mark("create and change customers that are organisations")),
    UpdateConnectorSpec("KnSalesRelationPer", mark("create and change customers that are persons")),
    UpdateConnectorSpec("FiEntries", mark("post journal entries (corrections)")),
    UpdateConnectorSpec("KnDimCode", mark("create allocation codes")),
)


def spec_for(standard_id: str) -> GetConnectorSpec:
    for spec in GET_CONNECTORS:
        if spec.id == standard_id:
            return spec
    raise KeyError(standard_id)


@dataclass(frozen=True)
class ConnectorIds:
    """Maps our standard connector ids to the ids this tenant uses (identity by default)."""

    renames: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, standard_id: str) -> str:
        return self.renames.get(standard_id, standard_id)
