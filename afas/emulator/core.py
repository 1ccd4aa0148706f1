"""The emulator's request handling, independent of any HTTP server.

``Emulator.handle(EmRequest) -> EmResponse`` is the whole of AFAS's REST behaviour; the ASGI app
(afas/emulator/asgi.py) and the in-process httpx transport (afas/emulator/transport.py) only
translate to and from it. Paths follow AFAS's layout under ``/ProfitRestServices`` and match
case-insensitively.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import itertools
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote

import orjson
from isal import igzip

from afas.emulator.auth import AppConnector, UserToken, check_authorization, demo_token_data
from afas.emulator.errors import ERR_GENERIC, ERR_NOT_AUTHORISED, ProfitError, msg
from afas.emulator.faults import FaultRule, Faults
from afas.emulator.getconnectors import GET_CONNECTORS, STANDARD_GET_CONNECTORS, GetConnectorDef
from afas.emulator.labels_nl import DUTCH
from afas.emulator.query import build_page_sql, materialize_sql, parse_get_request, render_page, source_sql
from afas.emulator.store import Store

__all__ = [
    "EmRequest",
    "EmResponse",
    "Emulator",
    "EmulatorConfig",
    "MAX_QUERY_LENGTH",
    "UPDATE_CONNECTOR_IDS",
]

MAX_QUERY_LENGTH = 2049
_NO_CACHE = ("cache-control", "no-store, no-cache")
BASE_PATH = "/profitrestservices"
# The emulator's own control API (not AFAS's): faults on request for a server in another process.
CONTROL_PATH = "/__emulator__/"
UPDATE_CONNECTOR_IDS = (
    "KnPurchaseRelationOrg",
    "KnPurchaseRelationPer",
    "KnSalesRelationOrg",
    "KnSalesRelationPer",
    "FiEntries",
    "KnDimCode",
)
# Descriptions as the catalogue (/metainfo) lists them in a Dutch environment (UNCONFIRMED texts).
_UPDATE_DESCRIPTIONS = {
    "KnPurchaseRelationOrg": "Crediteur (organisatie)",
    "KnPurchaseRelationPer": "Crediteur (persoon)",
    "KnSalesRelationOrg": "Debiteur (organisatie)",
    "KnSalesRelationPer": "Debiteur (persoon)",
    "FiEntries": "Financiële mutatie",
    "KnDimCode": "Verbijzonderingscode",
}


@dataclass
class EmRequest:
    method: str
    path: str  # without query string, percent-decoding not yet applied
    query: str  # raw query string (after '?'), as sent
    headers: dict[str, str]  # lower-case names
    body: bytes = b""
    client: str = "127.0.0.1"


@dataclass
class EmResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""
    drop: bool = False  # drop the connection instead of answering


@dataclass
class EmulatorConfig:
    environment_number: int = 12345
    environment_type: str = "test"  # production | test | accept: only the envid prefix depends on it
    language: str = "nl-nl"  # the environment's base language, used without Accept-Language
    profit_version: str = "7.0.2"
    # Status for an unknown or not-added connector: AFAS's sources disagree (401 vs 500, §6.1).
    unauthorised_connector_status: int = 500
    # Status for a token sent as plain XML instead of base64: Profit 6 announced 500 (§2.1).
    plain_text_token_status: int = 500
    send_x_profit_error: bool = True  # the deprecated header, still sent alongside error bodies
    gzip_min_bytes: int = 2048  # AFAS gzips successful responses; small ones are sent plain here
    put_status: int = 201  # PUT answers 201 with results (AFAS's OpenAPI); some observe 200
    # AFAS keeps Created/Modified with milliseconds but shows them rounded to the second, and a filter
    # compares the kept value: `Modified >= <a shown second>` then returns a row of that very second
    # about half the time, `=` almost never (PracticalAfas; afas-profit-api.md §3.6, §9.2). Off: the
    # emulator keeps whole seconds, so what it shows is what it compares.
    subsecond_timestamps: bool = False


def _json(status: int, doc: object, extra: list[tuple[str, str]] | None = None) -> EmResponse:
    return EmResponse(
        status, [("content-type", "application/json; charset=utf-8"), *(extra or [])], orjson.dumps(doc)
    )


class Emulator:
    """One emulated AFAS environment: data, App connectors with tokens, faults."""

    def __init__(
        self,
        *,
        seed: int = 1,
        transactions: int = 5000,
        token_data: str | None = None,
        config: EmulatorConfig | None = None,
        populate: bool = True,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.config = config or EmulatorConfig()
        self.seed = seed
        self.store = Store()
        self.faults = Faults()
        self._clock = clock or dt.datetime.now
        self._log_counter = itertools.count(1)
        self._lock = threading.Lock()
        self._page_lock = threading.Lock()
        self._page_locks: dict[str, threading.Lock] = {}
        self._page_versions: dict[str, int] = {}
        self.requests: list[tuple[str, str, int]] = []  # (method, path?query, status): a request log
        self.demo_summary = None
        if populate:
            from afas.emulator.demo import populate as _populate

            self.demo_summary = _populate(self.store, seed=seed, transactions=transactions)
            if self.config.subsecond_timestamps:
                self._hide_milliseconds()
        self.full_app = AppConnector("Reconciliation dashboard (all connectors)")
        self.tokens: dict[str, UserToken] = {}
        self.token_data = token_data or demo_token_data(seed)
        self.add_token(UserToken(self.token_data, self.full_app))

    # --- configuration ---------------------------------------------------------------------

    @property
    def envid(self) -> str:
        prefix = {"production": "O", "test": "T", "accept": "A"}.get(self.config.environment_type, "O")
        return f"{prefix}{self.config.environment_number}AA"

    def restrict_demo_token(
        self, *, without: Iterable[str] = (), administrations: Iterable[int] | None = None
    ) -> None:
        """Set the demo token up as a half-configured AFAS would be: connectors left out of its App
        connector, or an authorisation filter that lets through only some administrations (or none)."""
        left_out = {c.lower() for c in without}
        unknown = left_out - {c.lower() for c in (*GET_CONNECTORS, *UPDATE_CONNECTOR_IDS)}
        if unknown:
            raise ValueError(f"unknown connector(s): {', '.join(sorted(unknown))}")
        self.full_app.name = "Reconciliation dashboard" if left_out else self.full_app.name
        self.full_app.get_connectors = frozenset(c for c in GET_CONNECTORS if c.lower() not in left_out)
        self.full_app.update_connectors = frozenset(
            c for c in UPDATE_CONNECTOR_IDS if c.lower() not in left_out
        )
        if administrations is not None:
            self.tokens[self.token_data].administrations = frozenset(administrations)

    def add_token(self, token: UserToken) -> UserToken:
        self.tokens[token.data] = token
        return token

    def add_fault(
        self,
        kind: str,
        connector: str | None = None,
        method: str | None = None,
        times: int | None = 1,
        latency_ms: int = 0,
        retry_after: int = 1,
    ) -> FaultRule:
        return self.faults.add(FaultRule(kind, connector, method, times, latency_ms, retry_after))

    def _hide_milliseconds(self) -> None:
        """Give the demo's journal lines and changed booking days the milliseconds AFAS keeps and
        does not show (the same for a line's Created and Modified, so their order holds)."""
        with self.store.write() as cur:
            cur.execute(
                "UPDATE entry_line SET created = created + to_milliseconds(ms), "
                "modified = modified + to_milliseconds(ms) FROM (SELECT unit AS u, entry_no AS e, "
                "seq_no AS s, hash(unit, entry_no, seq_no, $seed) % 1000 AS ms FROM entry_line) m "
                "WHERE unit = m.u AND entry_no = m.e AND seq_no = m.s",
                {"seed": self.seed},
            )
            cur.execute(
                "UPDATE changed_entry_date SET modified = m.latest FROM (SELECT entry_date AS d, "
                "max(modified) AS latest FROM entry_line GROUP BY entry_date) m WHERE entry_date = m.d"
            )

    def now(self) -> dt.datetime:
        """The moment a change is stamped with: to the millisecond with ``subsecond_timestamps``
        (shown rounded to the second, see afas.emulator.query), else to the second."""
        moment = self._clock()
        if self.config.subsecond_timestamps:
            return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
        return moment.replace(microsecond=0)

    # --- what users do inside Profit (not through the API) ----------------------------------

    def delete_entries(self, unit: int, entry_nos: Iterable[int]) -> int:
        """Delete journal entries as a bookkeeper would in Profit; returns the lines removed."""
        from afas.emulator.backoffice import delete_entries

        with self.store.write() as cur:
            return delete_entries(cur, unit, entry_nos, self.now())

    def edit_entry_line(self, unit: int, entry_no: int, seq_no: int, **changes: object) -> None:
        """Change a journal line as a bookkeeper would in Profit (marks the changed booking days)."""
        from afas.emulator.backoffice import edit_entry_line

        with self.store.write() as cur:
            edit_entry_line(cur, unit, entry_no, seq_no, self.now(), **changes)

    # --- request handling -------------------------------------------------------------------

    def handle(self, req: EmRequest) -> EmResponse:
        resp = self._handle(req)
        # Every answer of AFAS's templates (200, 401, 403, 404, 500) carries these, not only OPTIONS.
        present = {name for name, _ in resp.headers}
        resp.headers.extend(h for h in (*self._cors(), _NO_CACHE) if h[0] not in present)
        with self._lock:
            self.requests.append((req.method, req.path + ("?" + req.query if req.query else ""), resp.status))
        return resp

    def _lang(self, req: EmRequest) -> str:
        value = req.headers.get("accept-language", "").split(",")[0].strip().lower()
        return value or self.config.language

    def _error(self, status: int, message: str, error_number: int = ERR_GENERIC) -> EmResponse:
        # upper-case hex, as in AFAS's own examples (3A4CA18A...)
        ref = hashlib.md5(f"{self.seed}-{next(self._log_counter)}".encode()).hexdigest().upper()
        extra = []
        if self.config.send_x_profit_error:
            extra.append(("x-profit-error", base64.b64encode(message.encode("utf-8")).decode("ascii")))
        return _json(
            status,
            {"externalMessage": message, "errorNumber": error_number, "profitLogReference": ref},
            extra,
        )

    def _empty(self, status: int, message: str | None = None) -> EmResponse:
        headers: list[tuple[str, str]] = [("content-length", "0")]
        if message and self.config.send_x_profit_error:
            headers.append(("x-profit-error", base64.b64encode(message.encode("utf-8")).decode("ascii")))
        return EmResponse(status, headers, b"")

    def _handle(self, req: EmRequest) -> EmResponse:
        if req.query and 1 + len(req.query) > MAX_QUERY_LENGTH:
            return self._empty(404)  # AFAS answers 404 past 2,049 query characters, its ? counted
        path = unquote(req.path).rstrip("/")
        low = path.lower()
        if low.startswith(CONTROL_PATH):
            return self._control(req, low[len(CONTROL_PATH) :])
        if not low.startswith(BASE_PATH):
            return self._empty(404)
        parts = [p for p in path[len(BASE_PATH) :].split("/") if p]
        method = req.method.upper()
        lang = self._lang(req)
        if method == "OPTIONS":
            return EmResponse(200, self._cors(), b"")

        connector = parts[1] if len(parts) >= 2 and parts[0].lower() == "connectors" else None
        released = self.faults.release()
        rules = self.faults.take(connector, method)
        lost = False
        for rule in rules:
            if rule.kind == "latency":
                self.faults.delay(rule, released)
            elif rule.kind == "error500":
                return self._error(
                    500,
                    msg(lang, "An unexpected error has occurred.", "Er is een onverwachte fout opgetreden."),
                )
            elif rule.kind == "error503":
                return _json(
                    503,
                    {
                        "error": {
                            "code": "503",
                            "message": (
                                "Service temporarily unavailable due to scheduled maintenance. "
                                "Please check afasstatus.nl for details."
                            ),
                        },
                        "retry_after": rule.retry_after,
                    },
                    [("retry-after", str(rule.retry_after))],
                )
            elif rule.kind == "drop":
                return EmResponse(0, [], b"", drop=True)
            elif rule.kind == "lost_response":
                lost = True

        check = check_authorization(req.headers.get("authorization"))
        if check.problem == "plain_text":
            status = self.config.plain_text_token_status
            if status == 500:
                return self._error(
                    500,
                    msg(
                        lang,
                        "The token must be sent Base64 encoded.",
                        "Het token moet Base64-gecodeerd worden verstuurd.",
                    ),
                )  # UNCONFIRMED
            return self._empty(status)
        token = self.tokens.get(check.data or "")
        if token is None:
            return self._empty(401)
        if token.app.ip_allow is not None and req.client not in token.app.ip_allow:
            return self._empty(403)

        try:
            resp = self._route(method, parts, req, token, lang)
        except ProfitError as exc:
            if exc.status == 400:
                return _json(400, {"message": exc.message})
            resp = self._error(exc.status, exc.message, exc.error_number)
        if lost:
            resp.drop = True
        return self._maybe_gzip(req, resp)

    def _control(self, req: EmRequest, what: str) -> EmResponse:
        """GET/POST/DELETE /__emulator__/faults: list, add or clear faults; POST /__emulator__/warm:
        render the page tables of data changed since (``warm``) now, so that a benchmark times the
        client rather than this stand-in's re-render of millions of rows (AFAS keeps its data
        indexed and renders only the page asked for). Any valid token may do either."""
        check = check_authorization(req.headers.get("authorization"))
        if check.data not in self.tokens:
            return self._empty(401)
        method = req.method.upper()
        if what.strip("/") == "warm" and method == "POST":
            started = time.perf_counter()
            self.warm()
            return _json(200, {"seconds": round(time.perf_counter() - started, 3)})
        if what.strip("/") != "faults":
            return self._empty(404)
        if method == "POST":
            try:
                spec = orjson.loads(req.body or b"{}")
                rule = self.faults.add(FaultRule(**spec))
            except (orjson.JSONDecodeError, TypeError, ValueError) as exc:
                return _json(400, {"message": f"Invalid fault: {exc}"})
            return _json(201, rule.to_json())
        if method == "DELETE":
            self.faults.clear()
            return EmResponse(200, [("content-length", "0")], b"")
        return _json(
            200,
            {
                "faults": [r.to_json() for r in self.faults.active()],
                "fired": [{"kind": k, "connector": c, "method": m} for k, c, m in self.faults.fired],
            },
        )

    def _maybe_gzip(self, req: EmRequest, resp: EmResponse) -> EmResponse:
        if (
            resp.status < 300
            and len(resp.body) >= self.config.gzip_min_bytes
            and "gzip" in req.headers.get("accept-encoding", "")
        ):
            resp.body = igzip.compress(resp.body, compresslevel=1)
            resp.headers.append(("content-encoding", "gzip"))
        return resp

    @staticmethod
    def _cors() -> list[tuple[str, str]]:
        return [
            ("access-control-allow-origin", "*"),
            ("access-control-allow-methods", "GET, POST, PUT, DELETE, OPTIONS"),
            (
                "access-control-allow-headers",
                "Content-Type, Accept, Authorization, OnlineSessionId, Accept-Language",
            ),
        ]

    def _route(
        self, method: str, parts: list[str], req: EmRequest, token: UserToken, lang: str
    ) -> EmResponse:
        head = parts[0].lower() if parts else ""
        if method == "GET" and head == "profitversion" and len(parts) == 1:
            return _json(200, {"version": self.config.profit_version})
        if method == "GET" and head == "metainfo":
            if len(parts) == 1:
                return _json(200, self._catalogue(token))
            if len(parts) == 3 and parts[1].lower() in ("get", "update"):
                return self._metainfo(parts[1].lower(), parts[2], token, lang)
            return self._empty(404)
        if head == "connectors" and len(parts) >= 2:
            if method == "GET" and len(parts) == 2:
                return self._get_connector(parts[1], req, token, lang)
            if method in ("POST", "PUT", "DELETE"):
                return self._update_connector(method, parts, req, token, lang)
            if method not in ("GET", "HEAD"):
                return self._empty(400)  # no Get/Post/Put/Delete method given: 400 (AFAS's help)
        return self._empty(404)

    # --- metainfo ---------------------------------------------------------------------------

    def _served_get(self, token: UserToken) -> list[str]:
        return [c for c in GET_CONNECTORS if token.app.allows_get(c)]

    def _served_update(self, token: UserToken) -> list[str]:
        return [c for c in UPDATE_CONNECTOR_IDS if token.app.allows_update(c)]

    def _catalogue(self, token: UserToken) -> dict:
        standard = {c.id for c in STANDARD_GET_CONNECTORS}
        return {
            "updateConnectors": [
                {"id": c, "description": _UPDATE_DESCRIPTIONS[c]} for c in self._served_update(token)
            ],
            "getConnectors": [
                {"id": c, "description": c if c in standard else GET_CONNECTORS[c].description}
                for c in self._served_get(token)
            ],
            "info": {
                "envid": self.envid,
                "appName": token.app.name,
                "group": token.group,
                "tokenExpiry": "0",
            },
        }

    def _not_authorised(self, kind: str, lang: str) -> EmResponse:
        if kind == "get":
            text = msg(
                lang,
                "GetConnector not supported for this app or the user is not authorized",
                "GetConnector niet ondersteund voor deze app of de gebruiker is niet geautoriseerd",
            )
        else:
            text = msg(
                lang,
                "General message: This UpdateConnector is not supported or the user is not authorized.",
                "General message: Deze UpdateConnector wordt niet ondersteund of de gebruiker is niet "
                "geautoriseerd.",
            )
        if self.config.unauthorised_connector_status == 401:
            return self._empty(401, text)
        return self._error(self.config.unauthorised_connector_status, text, ERR_NOT_AUTHORISED)

    def _lookup_get(self, connector_id: str, token: UserToken):
        for cid, conn in GET_CONNECTORS.items():
            if cid.lower() == connector_id.lower() and token.app.allows_get(cid):
                return conn
        return None

    def _lookup_update(self, connector_id: str, token: UserToken) -> str | None:
        for cid in UPDATE_CONNECTOR_IDS:
            if cid.lower() == connector_id.lower() and token.app.allows_update(cid):
                return cid
        return None

    def _metainfo(self, kind: str, connector_id: str, token: UserToken, lang: str) -> EmResponse:
        if kind == "get":
            conn = self._lookup_get(connector_id, token)
            if conn is None:
                return self._not_authorised("get", lang)
            description, labels = conn.description, {}
            if lang.startswith("nl"):  # labels in the asked language, as AFAS's Dutch metainfo gives them
                dutch, labels = DUTCH.get(conn.id, (None, {}))
                description = dutch or description
            return _json(
                200,
                {
                    "name": conn.id,
                    "description": description,
                    "fields": [
                        {
                            "id": f.id,
                            "fieldId": f.field_id,
                            "dataType": f.data_type,
                            "label": labels.get(f.id, f.label),
                            "length": f.length,
                            "controlType": f.control_type,
                            "decimals": f.decimals,
                            "decimalsFieldId": "",
                        }
                        for f in conn.fields
                    ],
                },
            )
        cid = self._lookup_update(connector_id, token)
        if cid is None:
            return self._not_authorised("update", lang)
        from afas.emulator.update_meta import update_metainfo

        return _json(200, update_metainfo(cid))

    # --- GetConnectors ----------------------------------------------------------------------

    def _get_connector(self, connector_id: str, req: EmRequest, token: UserToken, lang: str) -> EmResponse:
        conn = self._lookup_get(connector_id, token)
        if conn is None:
            return self._not_authorised("get", lang)
        params = dict(parse_qsl(req.query, keep_blank_values=True))
        params = {k.lower(): v for k, v in params.items()}
        greq = parse_get_request(conn, params, lang)
        table = self._page_table(conn)
        sql, args = build_page_sql(conn, greq, token.administrations, lang, table)
        cur = self.store.cursor()
        try:
            rows_json = cur.execute(sql, args).fetchone()[0]
        finally:
            cur.close()
        return EmResponse(
            200,
            [("content-type", "application/json; charset=utf-8")],
            render_page(rows_json, greq.skip_echo, greq.take_echo),
        )

    def _page_table(self, conn: GetConnectorDef) -> str:
        """The connector's rows with their JSON rendered, rebuilt after the data changed.

        Rendering every row on every request would make the emulator, not the client, the slow
        part of a sync benchmark; AFAS's own answers are the same either way.
        """
        table = '"__rows_' + conn.id.replace('"', '""') + '"'
        with self._page_lock:
            lock = self._page_locks.setdefault(conn.id, threading.Lock())
        with lock:
            version = self.store.version
            if self._page_versions.get(conn.id) != version:
                cur = self.store.cursor()
                try:
                    types = {
                        r[0].lower(): r[1] for r in cur.execute(f"DESCRIBE ({source_sql(conn)})").fetchall()
                    }
                    cur.execute(materialize_sql(conn, table, types))
                finally:
                    cur.close()
                self._page_versions[conn.id] = version
        return table

    def warm(self) -> None:
        """Render every GetConnector's page table now (the CLI does, before saying it is ready)."""
        for conn in GET_CONNECTORS.values():
            self._page_table(conn)

    # --- UpdateConnectors -------------------------------------------------------------------

    def visible_units(self, token: UserToken) -> frozenset[int]:
        cur = self.store.cursor()
        try:
            units = frozenset(r[0] for r in cur.execute("SELECT unit FROM administration").fetchall())
        finally:
            cur.close()
        return units if token.administrations is None else units & token.administrations

    def _update_connector(
        self, method: str, parts: list[str], req: EmRequest, token: UserToken, lang: str
    ) -> EmResponse:
        cid = self._lookup_update(parts[1], token)
        if cid is None:
            return self._not_authorised("update", lang)
        key_path = "/".join(parts[2:]) or None
        if method in ("POST", "PUT") and key_path:
            # Sub-object inserts (POST /connectors/KnOrganisation/KnContact) are not emulated.
            raise ProfitError(
                msg(
                    lang,
                    f"The object '{key_path}' is not supported by UpdateConnector '{cid}'.",
                    f"Het object '{key_path}' wordt niet ondersteund door UpdateConnector '{cid}'.",
                )
            )
        from afas.emulator.updates import apply_update

        status, doc = apply_update(
            self.store,
            cid,
            method,
            req.body if method != "DELETE" else None,
            key_path,
            visible_units=self.visible_units(token),
            lang=lang,
            now=self.now(),
        )
        if method == "PUT" and status == 201:
            status = self.config.put_status
        if doc is None:
            return EmResponse(status, [("content-length", "0")], b"")
        return _json(status, doc)
