"""Is the AFAS side set up right? One line per required connector, the visible administrations,
the Profit version, and for a refused token its likely causes.

The checks are the ones a finance user needs before anything else works: the token is accepted
(GET /ProfitVersion), the App connector contains every GetConnector and the six UpdateConnectors
(GET /metainfo), and the token user sees at least one administration (zero means the
'Algemeen - Administraties' authorisation filter is missing).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from afas.i18n import tr
from afas.profit.client import ProfitClient
from afas.profit.connectors import GET_CONNECTORS, UPDATE_CONNECTORS, ConnectorIds
from afas.profit.errors import AfasAuthError, AfasError
from afas.profit.metainfo import Catalogue

__all__ = ["ConnectorCheck", "Administration", "Readiness", "check_readiness"]


@dataclass(frozen=True)
class ConnectorCheck:
    kind: str  # "get" | "update"
    standard_id: str
    tenant_id: str  # the id looked for (a tenant may have renamed it)
    purpose: str
    present: bool
    fix: str | None  # what the AFAS administrator does when it is missing


@dataclass(frozen=True)
class Administration:
    id: int
    name: str
    code: str


@dataclass
class Readiness:
    ok: bool = False
    version: str | None = None
    envid: str | None = None
    app_name: str | None = None
    group: str | None = None  # the token user's authorisation group, as AFAS names it
    accepted: bool = False  # AFAS accepted the token and said which App connector it belongs to
    connectors: list[ConnectorCheck] = field(default_factory=list)
    administrations: list[Administration] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # plain words, each with its fix
    error: AfasError | None = None  # the error that stopped the check, if any

    @property
    def missing(self) -> list[ConnectorCheck]:
        return [c for c in self.connectors if not c.present]


def _fix(kind: str, tenant_id: str, custom: bool) -> str:
    if kind == "update":
        text = tr(
            "In Profit, open the App connector (General > Management > Connectors > App connectors) and add "
            "the UpdateConnector '{connector}' on its UpdateConnectors tab."
        )
    elif custom:
        text = tr(
            "Create the custom GetConnector '{connector}' as the README's administrator section describes "
            "(import or build it), then add it to the App connector's GetConnectors tab."
        )
    else:
        text = tr(
            "In Profit, open the App connector and add the standard GetConnector '{connector}' on its "
            "GetConnectors tab."
        )
    return text.format(connector=tenant_id)


def check_readiness(client: ProfitClient, ids: ConnectorIds | None = None) -> Readiness:
    """Run every check; AFAS errors end up in ``problems`` and ``error``, never as exceptions."""
    ids = ids or ConnectorIds()
    result = Readiness()
    try:
        result.version = client.version()
        catalogue = client.catalogue()
    except AfasAuthError as exc:
        result.error = exc
        result.problems.append(exc.message + " " + tr("Likely causes:") + " " + "; ".join(exc.likely_causes))
        return result
    except AfasError as exc:
        result.error = exc
        result.problems.append(str(exc))
        return result
    result.envid = catalogue.info.envid
    result.app_name = catalogue.info.app_name
    result.group = catalogue.info.group
    result.accepted = True
    result.connectors = _connector_checks(catalogue, ids)
    for missing in result.missing:
        result.problems.append(
            tr("{kind}Connector '{connector}' is missing ({purpose}). {fix}").format(
                kind=missing.kind.capitalize(),
                connector=missing.tenant_id,
                purpose=missing.purpose,
                fix=missing.fix,
            )
        )
    admin_id = ids("Profit_Administrations")
    if catalogue.has_get(admin_id):
        try:
            rows = client.fetch_all(admin_id, key=("AdminId",))
        except AfasError as exc:
            result.error = exc
            result.problems.append(tr("Reading the administrations failed: {error}").format(error=exc))
            return result
        result.administrations = [
            Administration(int(r["AdminId"]), str(r.get("AdminNm") or ""), str(r.get("AdminCd") or ""))
            for r in rows
        ]
        if not result.administrations:
            result.problems.append(
                tr(
                    "The token's user sees no administrations. In Profit, give the user the authorisation "
                    "filter 'Algemeen - Administraties' with the administrations to reconcile (General > "
                    "Management > Authorisation tool > the user's group > Filters)."
                )
            )
    result.ok = not result.problems
    return result


def _connector_checks(catalogue: Catalogue, ids: ConnectorIds) -> list[ConnectorCheck]:
    checks = []
    for spec in GET_CONNECTORS:
        tenant_id = ids(spec.id)
        present = catalogue.has_get(tenant_id)
        checks.append(
            ConnectorCheck(
                "get",
                spec.id,
                tenant_id,
                tr(spec.purpose),
                present,
                None if present else _fix("get", tenant_id, spec.custom),
            )
        )
    for uspec in UPDATE_CONNECTORS:
        tenant_id = ids(uspec.id)
        present = catalogue.has_update(tenant_id)
        checks.append(
            ConnectorCheck(
                "update",
                uspec.id,
                tenant_id,
                tr(uspec.purpose),
                present,
                None if present else _fix("update", tenant_id, False),
            )
        )
    return checks
