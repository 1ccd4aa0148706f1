"""What the user may choose as defaults, read from AFAS itself (never typed by hand).

- Administrations: Profit_Administrations (what the token's user may see).
- Payment terms: the custom payment-conditions GetConnector; when the tenant has not added it,
  the codes actually used on customers (PayCon) and suppliers (PaymentCondition).
- Allocation axes: the custom allocation-codes GetConnector (AxisId, AxisDescription); otherwise the
  axes seen in the allocation assignments of accounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from afas.i18n import tr
from afas.profit.client import ProfitClient

__all__ = ["Choice", "DefaultChoices", "load_choices"]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def _choice(value: object, description: object) -> Choice:
    text = str(description or "").strip()
    return Choice(str(value), f"{value} – {text}" if text else str(value))


@dataclass(frozen=True)
class DefaultChoices:
    administrations: list[Choice]
    payment_terms: list[Choice]
    allocation_axes: list[Choice]
    notes: list[str] = field(default_factory=list)  # where a fallback was used, in plain words


def _rows(client: ProfitClient, allowed: set[str], connector: str, key: tuple[str, ...]) -> list[dict] | None:
    """All rows, or None when the token's App connector does not include this connector."""
    if connector.lower() not in allowed:
        return None
    return client.fetch_all(connector, key=key, typed=False)


def load_choices(client: ProfitClient) -> DefaultChoices:
    """The choices for the Configure page; raises AfasError when AFAS cannot be read."""
    notes: list[str] = []
    allowed = {c.id.lower() for c in client.catalogue().get_connectors}
    admins = _rows(client, allowed, "Profit_Administrations", ("AdminId",)) or []
    administrations = [_choice(r["AdminId"], r.get("AdminNm")) for r in admins]
    if not administrations:
        notes.append(
            tr(
                "The token's user sees no administrations: set the 'Algemeen - Administraties' authorisation "
                "filter for that user in AFAS."
            )
        )

    conditions = _rows(client, allowed, "Recon_PaymentConditions", ("PaymentConditionId",))
    if conditions is not None:
        payment_terms = [
            _choice(r["PaymentConditionId"], r.get("Description")) for r in conditions if not r.get("Blocked")
        ]
    else:
        seen: set[str] = set()
        for connector, key, fld in (
            ("Profit_Debtor", ("DebtorId",), "PayCon"),
            ("Profit_Creditor", ("CreditorId",), "PaymentCondition"),
        ):
            seen |= {str(r[fld]) for r in (_rows(client, allowed, connector, key) or []) if r.get(fld)}
        payment_terms = [Choice(code, code) for code in sorted(seen, key=lambda c: (len(c), c))]
        notes.append(
            tr(
                "The payment-conditions GetConnector (Recon_PaymentConditions) is not available, so the "
                "codes used on customers and suppliers are offered; add the connector for their descriptions."
            )
        )

    codes = _rows(client, allowed, "Recon_AllocationCodes", ("AxisId", "AllocationCode"))
    axes: dict[str, str] = {}
    if codes is not None:
        for r in codes:
            axes.setdefault(str(r["AxisId"]), _choice(r["AxisId"], r.get("AxisDescription")).label)
    else:
        for r in (
            _rows(client, allowed, "Profit_Allocation_Assigments", ("Unit", "Account", "DimAx", "DimCode"))
            or []
        ):
            axes.setdefault(str(r["DimAx"]), _choice(r["DimAx"], r.get("AxDescription")).label)
        notes.append(
            tr(
                "The allocation-codes GetConnector (Recon_AllocationCodes) is not available, so the axes "
                "seen in the accounts' allocation assignments are offered."
            )
        )
    allocation_axes = [
        Choice(k, v) for k, v in sorted(axes.items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 99)
    ]
    return DefaultChoices(administrations, payment_terms, allocation_axes, notes)
