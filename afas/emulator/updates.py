"""The emulator's UpdateConnectors: FiEntries, KnSalesRelationOrg/Per, KnPurchaseRelationOrg/Per, KnDimCode.

``apply_update`` validates a request the way Profit does and writes it to the store in ONE
transaction (``Store.write()``): a rejected request changes nothing, even when its body holds
several ``Element``s. What is written shows up in the GetConnectors (afas/emulator/getconnectors.py).

This module holds the entry point and the dispatch by connector and verb; the connectors live in

* afas/emulator/fientry_checks.py and afas/emulator/fientries.py: FiEntries (validation; writing
  and DELETE),
* afas/emulator/relations.py: KnSalesRelationOrg/Per and KnPurchaseRelationOrg/Per,
* afas/emulator/dimcodes.py: KnDimCode,

sharing afas/emulator/update_context.py (request context, store helpers) and the message
catalogue afas/emulator/messages.py. Each connector module lists its own choices. Those that
concern all connectors (all UNCONFIRMED):

* Several ``Element``s in one POST: ``results.<Root>`` becomes a list with one object per element
  (a single element gives an object, as documented).
* Responses: POST/PUT of relations and FiEntries POST 201 with ``results`` (values strings);
  KnDimCode POST/PUT 201 without body; DELETE 200 without body. Required fields are checked from
  an explicit list, not from update_fields' ``mandatory_*`` flags: the OpenAPI ``required`` lists
  name fields AFAS's own examples never send (FiEntries ``EnNo``, relations ``CdDa``, ...).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from afas.emulator.dimcodes import delete_dim_code, post_dim_code, put_dim_code
from afas.emulator.envelope import ParsedElement, parse_body, parse_key_path
from afas.emulator.errors import ERR_NOT_AUTHORISED, ProfitError
from afas.emulator.fientries import delete_entry, post_entry
from afas.emulator.fientry_checks import MAX_ENTRY_LINES
from afas.emulator.messages import text
from afas.emulator.relations import RELATIONS, delete_relation, post_relation, put_relation
from afas.emulator.update_context import Ctx, KeySteps
from afas.emulator.update_fields import UPDATE_CONNECTORS, UConnector

if TYPE_CHECKING:
    from afas.emulator.store import Store

__all__ = ["SUPPORTED_CONNECTORS", "MAX_ENTRY_LINES", "apply_update"]

SUPPORTED_CONNECTORS: tuple[str, ...] = (
    "FiEntries",
    "KnSalesRelationOrg",
    "KnSalesRelationPer",
    "KnPurchaseRelationOrg",
    "KnPurchaseRelationPer",
    "KnDimCode",
)


def apply_update(
    store: Store,
    connector_id: str,
    method: str,
    body: bytes | None,
    key_path: str | None,
    *,
    visible_units: frozenset[int],
    lang: str,
    now: datetime,
) -> tuple[int, dict[str, Any] | None]:
    """Run one UpdateConnector call; returns (HTTP status, JSON body or None).

    Raises ``ProfitError`` (status 500, or 400 for a body or key path that is no valid request)
    when Profit would refuse the call; nothing is written then.
    """
    cid = next((c for c in SUPPORTED_CONNECTORS if c.lower() == connector_id.lower()), None)
    if cid is None:
        raise ProfitError(text(lang, "not_supported_connector"), error_number=ERR_NOT_AUTHORISED)
    connector = UPDATE_CONNECTORS[cid]
    verb = method.upper()
    if verb not in connector.verbs:
        raise ProfitError(text(lang, "not_supported_verb", verb=verb, connector=cid))
    stamp = now.replace(tzinfo=None)
    if verb == "DELETE":
        steps = _key_steps(connector, key_path, lang)
        with store.write() as cur:
            _delete(Ctx(store, cur, lang, stamp, visible_units), cid, steps)
        return 200, None
    elements = parse_body(body, connector, lang=lang)
    for el in elements:
        _check_actions(el, verb, lang)
    results: list[dict[str, str]] = []
    with store.write() as cur:
        ctx = Ctx(store, cur, lang, stamp, visible_units)
        for el in elements:
            result = _write(ctx, cid, verb, el)
            if result is not None:
                results.append(result)
    if not results:  # KnDimCode: AFAS's example response is empty
        return 201, None
    return 201, {"results": {connector.root.name: results[0] if len(results) == 1 else results}}


_NATURAL_ACTION = {"POST": "insert", "PUT": "update"}
_ACTION_OBJECTS = ("KnBankAccount",)
"""Objects whose ``@Action`` the emulator carries out (a relation's bank accounts); elsewhere an
action other than the verb's own is refused, never silently ignored."""


def _check_actions(el: ParsedElement, verb: str, lang: str) -> None:
    if el.action not in (None, _NATURAL_ACTION.get(verb)) and el.object_name not in _ACTION_OBJECTS:
        raise ProfitError(text(lang, "action_not_modelled", action=el.action, object=el.object_name))
    for children in el.children.values():
        for child in children:
            _check_actions(child, verb, lang)


def _write(ctx: Ctx, cid: str, verb: str, el: ParsedElement) -> dict[str, str] | None:
    """POST/PUT of one element; its ``results`` object (None for KnDimCode)."""
    if cid == "FiEntries":
        return post_entry(ctx, el)
    if cid == "KnDimCode":
        (post_dim_code if verb == "POST" else put_dim_code)(ctx, el)
        return None
    return (post_relation if verb == "POST" else put_relation)(ctx, RELATIONS[cid], el)


def _delete(ctx: Ctx, cid: str, steps: KeySteps) -> None:
    if cid == "FiEntries":
        delete_entry(ctx, steps)
    elif cid == "KnDimCode":
        delete_dim_code(ctx, steps)
    else:
        delete_relation(ctx, RELATIONS[cid], steps)


def _key_steps(connector: UConnector, key_path: str | None, lang: str) -> KeySteps:
    bad = ProfitError(text(lang, "bad_key_path", path=key_path or "", connector=connector.id), status=400)
    if not key_path:
        raise bad
    try:
        steps = parse_key_path(key_path)
    except ValueError:
        raise bad from None
    expected = [part.lower() for i, part in enumerate((connector.delete_path or "").split("/")) if i % 2 == 0]
    if [obj.lower() for obj, _ in steps] != expected:
        raise bad
    return steps
