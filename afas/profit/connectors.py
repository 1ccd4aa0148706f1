"""The AFAS connectors this product uses, what each is for, and the unique key we page on.

Tenants rename things (vendors install their own GetConnector packages), so every id can be mapped
to the tenant's own with :class:`ConnectorIds`. The two custom GetConnectors are the ones the
README asks the AFAS administrator to create (payment conditions, allocation codes per axis).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

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
    GetConnectorSpec("Profit_Administrations", "the administrations the token may see", ("AdminId",)),
    GetConnectorSpec(
        "Profit_Accounts", "the chart of accounts (ledger accounts)", ("Account",), per_administration=False
    ),
    GetConnectorSpec("Profit_Journals", "journals per administration", ("UnitId", "JournalId")),
    GetConnectorSpec(
        "Profit_periods_per_administration", "periods and which are blocked", ("Unit", "Year", "Period")
    ),
    GetConnectorSpec("Profit_VAT_code", "VAT codes", ("VatCode",), per_administration=False),
    GetConnectorSpec("Profit_Currency", "currencies", ("CurrencyId",), per_administration=False),
    GetConnectorSpec("Profit_Debtor", "customers (debtors)", ("DebtorId",), per_administration=False),
    GetConnectorSpec("Profit_Creditor", "suppliers (creditors)", ("CreditorId",), per_administration=False),
    GetConnectorSpec(
        "Profit_Transactions",
        "journal entry lines",
        ("UnitId", "EntryNo", "SeqNo"),
        partition_fields=("UnitId", "Year", "Period"),
        changed_by_entry_date=True,
    ),
    GetConnectorSpec(
        "Profit_Transactions_Allocated",
        "journal entry lines with allocation codes",
        ("UnitId", "EntryNo", "SeqNo", "DimAx1", "DimAx2", "DimAx3", "DimAx4", "DimAx5"),
        partition_fields=("UnitId", "Year", "Period"),
        changed_by_entry_date=True,
    ),
    GetConnectorSpec(
        "Profit_Allocation_Assigments",
        "which allocation codes each account allows",
        ("Unit", "Account", "DimAx", "DimCode"),
    ),
    GetConnectorSpec(
        "Profit_Period_balance",
        "balances per account and period (trial balance)",
        ("UnitId", "Year", "Period", "AccountNr"),
    ),
    GetConnectorSpec(
        "Profit_Balance_Allocated",
        "balances per allocation code",
        ("Unit", "Year", "Period", "Account", "DimAx", "DimCode"),
    ),
    GetConnectorSpec(
        "Profit_Debtor_Invoices", "open items of customers", ("UnitId", "DebtorId", "InvoiceNr")
    ),
    GetConnectorSpec(
        "Profit_Creditor_Invoices", "open items of suppliers", ("UnitId", "CreditorId", "InvoiceNr")
    ),
    GetConnectorSpec(
        "Profit_Fin_ChangedEntrydate",
        "entry dates with changes, for incremental refresh",
        ("EntryDate",),
        per_administration=False,
    ),
    GetConnectorSpec(
        "Recon_PaymentConditions",
        "payment conditions (custom GetConnector)",
        ("PaymentConditionId",),
        custom=True,
        per_administration=False,
    ),
    GetConnectorSpec(
        "Recon_AllocationCodes",
        "allocation codes per axis (custom GetConnector)",
        ("AxisId", "AllocationCode"),
        custom=True,
        per_administration=False,
    ),
)

UPDATE_CONNECTORS: tuple[UpdateConnectorSpec, ...] = (
    UpdateConnectorSpec("KnPurchaseRelationOrg", "create and change suppliers that are organisations"),
    UpdateConnectorSpec("KnPurchaseRelationPer", "create and change suppliers that are persons"),
    UpdateConnectorSpec("KnSalesRelationOrg", "create and change customers that are organisations"),
    UpdateConnectorSpec("KnSalesRelationPer", "create and change customers that are persons"),
    UpdateConnectorSpec("FiEntries", "post journal entries (corrections)"),
    UpdateConnectorSpec("KnDimCode", "create allocation codes"),
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
