"""The AFAS Profit REST client: one ``httpx.Client`` per connection, typed rows, safe paging.

- Auth: an ``httpx.Auth`` that adds ``Authorization: AfasToken <base64>``; the token never reaches
  logs, reprs or exception messages (afas/profit/token.py, afas/profit/logs.py).
- GetConnectors: every page is sorted on a unique key (``orderbyfieldids``). ``pages()`` continues
  after the last key of the previous page (keyset paging: ``skip`` stays 0), so rows inserted or
  deleted while a large connector is read neither repeat nor go missing; parallelism comes from
  slices (``partitions``: e.g. one filter per administration/year/period), at most 5 requests in
  flight as AFAS advises. ``skip_pages()`` is AFAS's plain skip/take paging, for small connectors.
- Rows are typed from the connector's metainfo: Decimal for decimals, date/datetime for dates
  (the trailing Z of AFAS timestamps is Amsterdam local time and is read as such), bool.
- GETs retry connect errors, timeouts, dropped connections and 503 (honouring Retry-After) with
  capped, jittered backoff. POST, PUT and DELETE are never retried: a retry could post twice.
"""

from __future__ import annotations

import functools
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import msgspec
import orjson
from isal import igzip

from afas.i18n import carried
from afas.profit.environment import Environment
from afas.profit.errors import (
    AfasConfigError,
    AfasError,
    AfasTransportError,
    AfasUnavailable,
    error_from_response,
    error_from_transport,
)
from afas.profit.filters import Condition, Filter, Op, to_query_params
from afas.profit.logs import register_secret
from afas.profit.metainfo import Catalogue, GetConnectorMeta, UpdateConnectorMeta
from afas.profit.token import ProfitToken
from afas.profit.update import UpdateResult
from afas.profit.values import PageDecoder

__all__ = [
    "ProfitClient",
    "RetryPolicy",
    "Page",
    "RawPage",
    "AfasTokenAuth",
    "page_size_for",
    "MAX_IN_FLIGHT",
]

log = logging.getLogger("afas.profit")

MAX_IN_FLIGHT = 5  # AFAS: "up to 5 simultaneous calls" for sliced bulk reads (8 is the hard maximum)
ROWS_X_FIELDS = 150_000  # AFAS's rule of thumb: columns x rows per call below 150,000
# AFAS's own back-off sample uses 120 s; connecting should be quick.
DEFAULT_TIMEOUT = httpx.Timeout(120.0, connect=15.0)


def page_size_for(n_fields: int) -> int:
    """AFAS's rule of thumb for take: about 150,000 / number of fields, in whole hundreds."""
    return max(100, (ROWS_X_FIELDS // max(n_fields, 1)) // 100 * 100)


class AfasTokenAuth(httpx.Auth):
    """Adds the AfasToken header; holds the token object, never its text."""

    def __init__(self, token: ProfitToken) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request):  # noqa: ANN201 (httpx generator protocol)
        request.headers["Authorization"] = self._token.header_value()
        yield request

    def __repr__(self) -> str:
        return f"AfasTokenAuth({self._token!r})"


@dataclass(frozen=True)
class RetryPolicy:
    """How GETs are retried: attempts in all, backoff base and cap, longest Retry-After we wait."""

    attempts: int = 5
    base: float = 0.5
    cap: float = 30.0
    max_retry_after: float = 120.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full-jitter exponential backoff for the attempt-th retry (1-based)."""
        return rng.uniform(0, min(self.cap, self.base * 2 ** (attempt - 1)))


@dataclass
class Page:
    """One GetConnector response: typed rows plus what was asked."""

    connector: str
    rows: list[dict[str, Any]]
    skip: int
    take: int
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class RawPage:
    """One GetConnector response body exactly as AFAS sent it, with its row count (for bulk loads)."""

    connector: str
    content: bytes
    row_count: int
    params: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"RawPage({self.connector!r}, {len(self.content)} bytes, rows={self.row_count})"


T = TypeVar("T")


@functools.lru_cache(maxsize=64)
def _key_decoder(key: tuple[str, ...]) -> msgspec.json.Decoder:
    """A decoder of a page's rows that reads only the ``key`` fields (msgspec skips the rest)."""
    row_type = msgspec.defstruct(
        "KeyRow", [(f"k{i}", Any, msgspec.field(default=None, name=k)) for i, k in enumerate(key)]
    )
    page_type = msgspec.defstruct("KeyPage", [("rows", list[row_type], msgspec.field(default_factory=list))])
    return msgspec.json.Decoder(page_type)


def _unpacked(streamed: httpx.Response, raw: bytes, method: str, url: str) -> httpx.Response:
    """The response with its body as AFAS meant it: gzip (how AFAS sends every successful answer)
    is unpacked with ISA-L, about four times faster than zlib; any other encoding by httpx."""
    encoding = streamed.headers.get("content-encoding", "").strip().lower()
    headers = streamed.headers
    if encoding == "gzip":
        try:
            raw = igzip.decompress(raw)
        except (OSError, EOFError, ValueError) as exc:
            raise AfasTransportError(
                f"AFAS's answer arrived damaged and could not be unpacked ({type(exc).__name__}).",
                "Try again; for a change sent to AFAS, first check whether it arrived.",
                request_method=method,
                request_url=url,
            ) from None
        headers = httpx.Headers(
            [
                (k, v)
                for k, v in streamed.headers.multi_items()
                if k not in ("content-encoding", "content-length")
            ]
        )
    return httpx.Response(streamed.status_code, headers=headers, content=raw, request=streamed.request)


class ProfitClient:
    """A connection to one AFAS environment with one token; safe to share between threads."""

    def __init__(
        self,
        environment: Environment,
        token: ProfitToken,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        max_in_flight: int = MAX_IN_FLIGHT,
        language: str = "en-us",
        integration_id: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        seed: int | None = None,
    ) -> None:
        if not 1 <= max_in_flight <= 8:
            raise AfasConfigError("max_in_flight must be 1..8: AFAS allows at most 8 parallel calls.")
        self.environment = environment
        self.language = language  # what Accept-Language asks for: AFAS's messages and labels in it
        self._token = token
        register_secret(token)
        headers = {"Accept": "application/json", "Accept-Language": language}
        if integration_id:
            headers["IntegrationId"] = integration_id
        self._http = httpx.Client(
            base_url=environment.base_url.rstrip("/") + "/",
            auth=AfasTokenAuth(token),
            headers=headers,
            timeout=timeout,
            transport=transport,
            follow_redirects=False,  # a 3xx is reported (AfasRedirect), never followed with the token
            limits=httpx.Limits(max_connections=8, max_keepalive_connections=8, keepalive_expiry=60),
        )
        self.retry = retry or RetryPolicy()
        self.max_in_flight = max_in_flight
        # AFAS's limit on parallel calls holds for the client as a whole, whatever its threads do
        # (several connectors syncing at once, each with its page streams).
        self._calls = threading.BoundedSemaphore(max_in_flight)
        self._sleep = sleep
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()
        self._meta_cache: dict[str, GetConnectorMeta] = {}
        self._decoders: dict[str, PageDecoder] = {}
        self._meta_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ProfitClient({self.environment.base_url!r}, token={self._token!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ProfitClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- HTTP ---------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return str(self._http.base_url.join(path))

    def _send(
        self, method: str, path: str, *, params: Mapping[str, str] | None = None, content: bytes | None = None
    ) -> httpx.Response:
        headers = {"Content-Type": "application/json;charset=utf-8"} if content is not None else None
        request = self._http.build_request(method, path, params=params, content=content, headers=headers)
        try:
            with self._calls:
                streamed = self._http.send(request, stream=True)
                try:
                    # An in-memory transport hands over a response httpx has already read and unpacked.
                    raw = None if streamed.is_stream_consumed else b"".join(streamed.iter_raw())
                finally:
                    streamed.close()
        except httpx.TransportError as exc:
            raise error_from_transport(exc, method, self._url(path)) from None
        response = streamed if raw is None else _unpacked(streamed, raw, method, self._url(path))
        if response.status_code >= 300:  # redirects are never followed: the token would go along
            raise error_from_response(
                response.status_code, response.content, response.headers, method, str(response.request.url)
            )
        return response

    def _get(self, path: str, params: Mapping[str, str] | None = None) -> httpx.Response:
        """A GET with retries on connect errors, timeouts, dropped connections and 503."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._send("GET", path, params=params)
            except (AfasTransportError, AfasUnavailable) as exc:
                if attempt >= self.retry.attempts:
                    raise
                wait_s = self._wait_for(exc, attempt)
                if wait_s is None:
                    raise
                log.warning(
                    "GET %s failed (%s); retry %d of %d in %.1f s",
                    path,
                    type(exc).__name__,
                    attempt,
                    self.retry.attempts - 1,
                    wait_s,
                )
                self._sleep(wait_s)

    def _wait_for(self, exc: AfasError, attempt: int) -> float | None:
        with self._rng_lock:
            backoff = self.retry.backoff(attempt, self._rng)
        if isinstance(exc, AfasUnavailable) and exc.retry_after is not None:
            if exc.retry_after > self.retry.max_retry_after:
                return None  # maintenance for longer than we wait: tell the user instead
            return max(exc.retry_after, backoff)
        return backoff

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        return orjson.loads(response.content) if response.content else None

    # --- metainfo -----------------------------------------------------------------------

    def version(self) -> str:
        """GET /ProfitVersion: Profit's version; also the cheapest check that the token works."""
        return str((self._json(self._get("ProfitVersion")) or {}).get("version", ""))

    def catalogue(self) -> Catalogue:
        """GET /metainfo: the Get- and UpdateConnectors this token may call, and environment info."""
        return Catalogue.from_json(self._json(self._get("metainfo")) or {})

    def get_metainfo(self, connector_id: str) -> GetConnectorMeta:
        """GET /metainfo/get/{id}, cached per client."""
        with self._meta_lock:
            cached = self._meta_cache.get(connector_id)
        if cached is not None:
            return cached
        meta = GetConnectorMeta.from_json(self._json(self._get(f"metainfo/get/{quote(connector_id)}")) or {})
        with self._meta_lock:
            self._meta_cache[connector_id] = meta
        return meta

    def update_metainfo(self, connector_id: str) -> UpdateConnectorMeta:
        """GET /metainfo/update/{id}: the connector's object tree with field rules."""
        return UpdateConnectorMeta.from_json(
            self._json(self._get(f"metainfo/update/{quote(connector_id)}")) or {}
        )

    def _decoder(self, connector_id: str) -> PageDecoder:
        """The typed-row decoder of a connector, built once from its metainfo."""
        with self._meta_lock:
            decoder = self._decoders.get(connector_id)
        if decoder is None:
            meta = self.get_metainfo(connector_id)
            decoder = PageDecoder((f.id, f.data_type, f.decimals) for f in meta.fields)
            with self._meta_lock:
                self._decoders[connector_id] = decoder
        return decoder

    # --- GetConnectors ------------------------------------------------------------------

    def get_page(
        self,
        connector_id: str,
        *,
        filter: Filter | None = None,  # noqa: A002 (AFAS's own word)
        order_by: Sequence[str] = (),
        skip: int = 0,
        take: int | None = None,
        typed: bool = True,
    ) -> Page:
        """One GetConnector call. ``order_by`` ids may start with '-' for descending."""
        other: dict[str, str | int] = {"skip": skip}
        if take is not None:
            other["take"] = take
        if order_by:
            other["orderbyfieldids"] = ",".join(order_by)
        params = to_query_params(filter or Filter(), other_params=other)
        response = self._get(f"connectors/{quote(connector_id)}", params)
        rows = self._rows(connector_id, response.content, typed)
        doc_skip, doc_take = skip, take if take is not None else 100
        return Page(connector_id, rows, doc_skip, doc_take, params)

    def _rows(self, connector_id: str, content: bytes, typed: bool) -> list[dict[str, Any]]:
        if typed:
            return self._decoder(connector_id).decode(content)
        doc = orjson.loads(content)
        return (doc.get("rows") or []) if isinstance(doc, dict) else []

    def pages(
        self,
        connector_id: str,
        *,
        key: Sequence[str],
        filter: Filter | None = None,  # noqa: A002
        partitions: Sequence[Filter | None] = (None,),
        take: int | None = None,
        typed: bool = True,
    ) -> Iterator[Page]:
        """All rows of a connector, page by page, by keyset paging on ``key`` (a unique key).

        Each partition (a filter slice, AND-ed with ``filter``) is read in key order, every page
        starting after the previous page's last key; up to ``max_in_flight`` partitions are read at
        once. Pages come in completion order, so rows of different partitions interleave.
        """
        for raw in self.raw_pages(connector_id, key=key, filter=filter, partitions=partitions, take=take):
            rows = self._rows(connector_id, raw.content, typed) if raw.row_count else []
            yield Page(connector_id, rows, 0, int(raw.params["take"]), raw.params)

    @staticmethod
    def _and(a: Filter | None, b: Filter | None) -> Filter | None:
        if a is None or not a.groups:
            return b
        if b is None or not b.groups:
            return a
        return a & b

    def raw_pages(
        self,
        connector_id: str,
        *,
        key: Sequence[str],
        filter: Filter | None = None,  # noqa: A002
        partitions: Sequence[Filter | None] = (None,),
        take: int | None = None,
    ) -> Iterator[RawPage]:
        """Like :meth:`pages` (keyset paging on ``key``, partitions in parallel), but untyped: each
        page is the response body as AFAS sent it. Only the key fields are decoded (with msgspec,
        which skips the other fields) to count the rows and continue after the last key.
        """
        slices = [self._and(filter, p) for p in partitions] or [filter]
        if len(slices) == 1:
            yield from self.raw_slice(connector_id, key=key, filter=slices[0], take=take)
            return
        yield from self.parallel(
            lambda s=s: self.raw_slice(connector_id, key=key, filter=s, take=take) for s in slices
        )

    def raw_slice(
        self,
        connector_id: str,
        *,
        key: Sequence[str],
        filter: Filter | None = None,  # noqa: A002
        take: int | None = None,
    ) -> Iterator[RawPage]:
        """The raw pages of one slice (``filter``), one request after another in key order: each
        page starts after the previous page's last key and the slice ends at a short page."""
        if not key:
            raise AfasConfigError("Paging needs a unique key to sort on (AFAS reorders rows otherwise).")
        if take is None:
            take = page_size_for(len(self.get_metainfo(connector_id).fields))
        decoder = _key_decoder(tuple(key))
        path = f"connectors/{quote(connector_id)}"
        after: list[Any] | None = None
        while True:
            flt = self._and(filter, _after_filter(key, after)) if after is not None else filter
            other: dict[str, str | int] = {"skip": 0, "take": take, "orderbyfieldids": ",".join(key)}
            params = to_query_params(flt or Filter(), other_params=other)
            content = self._get(path, params).content
            rows = decoder.decode(content).rows if content else []
            if rows:
                after = [getattr(rows[-1], f"k{i}") for i in range(len(key))]
            yield RawPage(connector_id, content, len(rows), params)
            if len(rows) < take:
                return

    def skip_pages(
        self,
        connector_id: str,
        *,
        order_by: Sequence[str],
        filter: Filter | None = None,  # noqa: A002
        take: int | None = None,
        typed: bool = True,
    ) -> Iterator[Page]:
        """AFAS's plain skip/take paging, up to ``max_in_flight`` pages at once, in order.

        Always sorted (``order_by`` must be a unique key). Rows inserted or deleted during the read
        shift the pages; use :meth:`pages` for data that may change while it is read.
        """
        if not order_by:
            raise AfasConfigError("Paging needs a unique key to sort on (AFAS reorders rows otherwise).")
        if take is None:
            take = page_size_for(len(self.get_metainfo(connector_id).fields))
        with ThreadPoolExecutor(self.max_in_flight, thread_name_prefix="afas-page", **carried()) as pool:
            futures: list[Future[Page]] = []
            next_skip = 0
            while True:
                while len(futures) < self.max_in_flight:
                    futures.append(
                        pool.submit(
                            self.get_page,
                            connector_id,
                            filter=filter,
                            order_by=order_by,
                            skip=next_skip,
                            take=take,
                            typed=typed,
                        )
                    )
                    next_skip += take
                page = futures.pop(0).result()
                yield page
                if len(page.rows) < take:
                    for f in futures:
                        f.cancel()
                    return

    def parallel(self, streams: Iterable[Callable[[], Iterator[T]]]) -> Iterator[T]:
        """Run streams of requests with at most ``max_in_flight`` requests at once; yield what they
        yield, as it comes. A stream is taken from ``streams`` only when a call is free, so the
        iterable may decide late what comes next (the sync drops slices its probes found empty)."""
        pending = iter(streams)
        exhausted = False
        with ThreadPoolExecutor(self.max_in_flight, thread_name_prefix="afas-page", **carried()) as pool:
            running: dict[Future, Iterator[T]] = {}

            def advance(it: Iterator[T]) -> Future:
                return pool.submit(next, it, None)

            try:
                while not exhausted or running:
                    while not exhausted and len(running) < self.max_in_flight:
                        factory = next(pending, None)
                        if factory is None:
                            exhausted = True
                            break
                        it = factory()
                        running[advance(it)] = it
                    if not running:
                        break
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for fut in done:
                        it = running.pop(fut)
                        item = fut.result()
                        if item is not None:
                            running[advance(it)] = it  # the stream's next request goes out first
                            yield item
            finally:
                for fut in running:
                    fut.cancel()

    def fetch_all(
        self,
        connector_id: str,
        *,
        key: Sequence[str],
        filter: Filter | None = None,  # noqa: A002
        partitions: Sequence[Filter | None] = (None,),
        typed: bool = True,
    ) -> list[dict[str, Any]]:
        """Every row of a connector (keyset paging), as one list."""
        rows: list[dict[str, Any]] = []
        for page in self.pages(connector_id, key=key, filter=filter, partitions=partitions, typed=typed):
            rows.extend(page.rows)
        return rows

    # --- UpdateConnectors ---------------------------------------------------------------

    def _update(self, method: str, connector_id: str, body: Mapping[str, Any]) -> UpdateResult:
        """``body`` is the whole JSON body (afas.corrections.payloads builds them)."""
        response = self._send(method, f"connectors/{quote(connector_id)}", content=orjson.dumps(body))
        return UpdateResult.from_body(response.status_code, self._json(response))

    def insert(self, connector_id: str, body: Mapping[str, Any]) -> UpdateResult:
        """POST: create. Never retried automatically; after a transport error, check before resending."""
        return self._update("POST", connector_id, body)

    def update(self, connector_id: str, body: Mapping[str, Any]) -> UpdateResult:
        """PUT: change the fields given. Never retried automatically."""
        return self._update("PUT", connector_id, body)

    def delete(self, connector_id: str, key_path: str) -> UpdateResult:
        """DELETE connectors/{id}/{key_path} (see afas.profit.update.delete_path). Never retried."""
        response = self._send("DELETE", f"connectors/{quote(connector_id)}/{key_path}")
        return UpdateResult.from_body(response.status_code, self._json(response))


def _after_filter(key: Sequence[str], values: Sequence[Any]) -> Filter:
    """Rows after ``values`` in ``key`` order: (k1 > v1) OR (k1 = v1 AND k2 > v2) OR ...

    An empty key value sorts first (as SQL Server sorts NULL), so "= empty" is the EMPTY operator and
    "> empty" is NOT_EMPTY: keys with optional parts (allocation codes) page correctly too.
    """
    groups = []
    for i in range(len(key)):
        conds = [_equal(key[j], values[j]) for j in range(i)]
        if values[i] is None:
            conds.append(Condition(key[i], Op.NOT_EMPTY))
        else:
            conds.append(Condition(key[i], Op.GT, _filter_value(values[i])))
        groups.append(conds)
    return Filter(groups)


def _equal(field_id: str, value: Any) -> Condition:
    return (
        Condition(field_id, Op.EMPTY) if value is None else Condition(field_id, Op.EQ, _filter_value(value))
    )


def _filter_value(raw: Any) -> Any:
    """A key value (typed or raw JSON) as a filter value: no misleading Z on dates, exact numbers."""
    if isinstance(raw, float):
        return Decimal(repr(raw))
    if isinstance(raw, str) and len(raw) >= 19 and raw[4] == "-" and raw[10] == "T" and raw.endswith("Z"):
        return raw[:-1]
    return raw
