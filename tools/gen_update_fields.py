"""Generate afas/emulator/update_fields.py from AFAS's official OpenAPI files.

Usage::

    python tools/gen_update_fields.py [SPEC_DIR] [-o OUTPUT] [--check]

SPEC_DIR defaults to ``../shared/afas-openapi`` beside the project root (the files must not be
copied into the project); OUTPUT defaults to ``afas/emulator/update_fields.py``. With ``--check``
nothing is written and the exit status is 1 when OUTPUT differs from what would be generated.

For each UpdateConnector in ``CONNECTORS`` the request-body schemas ``<Id>_POST`` and ``<Id>_PUT``
(``components.schemas``) are walked. An object node is ``{"Element": <object | array of object>}``
whose element has ``Fields`` (the field properties plus ``required``) and optionally ``Objects``
(an object, or an array of objects, whose properties are the child objects by name). POST and PUT
are merged into one tree: field facts must agree, the ``required`` lists become ``mandatory_post``
and ``mandatory_put``. Key fields (``@Key`` element attributes) are taken from the official
request examples and the DELETE paths. Identical nested objects are emitted once as module-level
constants; objects with the same name that differ get one constant per variant, suffixed with the
first connector that uses them.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["CONNECTORS", "DEFAULT_OUTPUT", "DEFAULT_SPEC_DIR", "generate", "main"]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SPEC_DIR = PROJECT_ROOT / ".." / "shared" / "afas-openapi"
DEFAULT_OUTPUT = PROJECT_ROOT / "afas" / "emulator" / "update_fields.py"

# (connector id, spec file, English description). The "English" spec files give the operation
# summaries in Dutch (e.g. "Financiële mutatie"); the generated module quotes them in comments.
CONNECTORS: tuple[tuple[str, str, str], ...] = (
    ("KnSalesRelationOrg", "organisaties-en-personen.json", "Sales relation organisation"),
    ("KnSalesRelationPer", "organisaties-en-personen.json", "Sales relation person"),
    ("KnPurchaseRelationOrg", "organisaties-en-personen.json", "Purchase relation organisation"),
    ("KnPurchaseRelationPer", "organisaties-en-personen.json", "Purchase relation person"),
    ("FiEntries", "mutaties.json", "Financial entry"),
    ("KnDimCode", "financiele-inrichting.json", "Allocation code"),
)

# DELETE paths the spec does not document. FiEntries' spec path is a placeholder
# (/connectors/FiEntries/FiEntryPar/@Year/{Year}, flagged "parameters not yet documented"); the
# real one is in AFASSoftware/OASContent markdownpages/endpoint/en/fientries-delete.md:
# DELETE /connectors/FiEntries/FiEntryPar/UnId,JoCo/{UnId},{JoCo}/FiEntries/@EnNo/{EnNo}
# (or .../FiEntries/InId/{InId}). Keys in an override are not used as key fields.
DELETE_PATH_OVERRIDES: dict[str, str] = {"FiEntries": "FiEntryPar/UnId,JoCo/FiEntries/@EnNo"}
_UNDOCUMENTED_MARK = "nog niet gedocumenteerd"

# Decimals rule (documented in the generated module too), for "decimal" fields only:
#   Rate (exchange rate) -> 10; amounts -> 2 (ids starting with "Am", plus _AMOUNT_IDS);
#   percentages -> 2 ("%" in the label, or the spec's multipleOf 0.01); anything else -> 0.
_AMOUNT_IDS = frozenset({"AcPa", "Krli", "MaIn", "MiIn"})

_VERBS = ("POST", "PUT", "DELETE")


@dataclass(frozen=True)
class Field:
    """Merged facts of one field (mirrors UField in the generated module)."""

    field_id: str
    data_type: str
    label: str
    length: int = 0
    decimals: int = 0
    mandatory_post: bool = False
    mandatory_put: bool = False
    values: tuple[tuple[str, str], ...] = ()
    memo: bool = False


@dataclass(frozen=True)
class Obj:
    """Merged object node (mirrors UObject in the generated module)."""

    name: str
    fields: tuple[Field, ...]
    objects: tuple[Obj, ...]
    key_fields: tuple[str, ...]


@dataclass(frozen=True)
class Connector:
    """Merged connector (mirrors UConnector in the generated module)."""

    id: str
    description: str
    summary_nl: str
    root: Obj
    verbs: frozenset[str]
    delete_path: str | None


# --------------------------------------------------------------------------------------------------
# reading the spec


@dataclass
class _RawNode:
    fields: dict[str, dict[str, Any]]
    required: list[str]
    children: list[tuple[str, _RawNode]]


def _parse_node(schema: dict[str, Any], where: str) -> _RawNode:
    """Parse an object node ``{"Element": ...}`` of a request-body schema."""
    try:
        element = schema["properties"]["Element"]
    except KeyError as exc:
        raise ValueError(f"{where}: no Element") from exc
    if element.get("type") == "array":
        element = element["items"]
    props = element.get("properties", {})
    unknown = set(props) - {"Fields", "Objects"}
    if unknown:
        raise ValueError(f"{where}: unexpected element keys {sorted(unknown)}")
    fields_schema = props.get("Fields", {})
    fields = dict(fields_schema.get("properties", {}))
    required = list(fields_schema.get("required", []))
    missing = [r for r in required if r not in fields]
    if missing:
        raise ValueError(f"{where}: required fields without a property: {missing}")
    children: list[tuple[str, _RawNode]] = []
    objects = props.get("Objects")
    if objects:
        wrapper = objects["items"] if objects.get("type") == "array" else objects
        for child_name, child in wrapper.get("properties", {}).items():
            children.append((child_name, _parse_node(child, f"{where}/{child_name}")))
    return _RawNode(fields, required, children)


def _data_type(prop: dict[str, Any], where: str) -> str:
    kind, fmt = prop.get("type"), prop.get("format") or ""
    if kind == "string":
        return "date" if fmt in ("date", "date-time") else "string"
    mapping = {"integer": "int", "number": "decimal", "boolean": "boolean"}
    if kind not in mapping:
        raise ValueError(f"{where}: unsupported type {kind!r}")
    return mapping[kind]


_CODE_LINE = re.compile(r"^\s*(?P<code>[^=]+?)\s*=\s*(?P<text>.*?)\s*;?\s*$")


def _values(prop: dict[str, Any], where: str) -> tuple[tuple[str, str], ...]:
    """Code list of an enum field: codes from ``enum``, texts from the description lines."""
    enum = [str(e) for e in prop.get("enum", [])]
    if not enum:
        return ()
    texts: dict[str, str] = {}
    for line in (prop.get("description") or "").splitlines()[1:]:
        m = _CODE_LINE.match(line)
        if m:
            texts[m["code"]] = m["text"]
    if set(texts) != set(enum):
        raise ValueError(f"{where}: enum {enum} does not match the described codes {list(texts)}")
    return tuple((code, texts[code]) for code in enum)


def _decimals(field_id: str, data_type: str, label: str, multiple_ofs: Iterable[float]) -> int:
    if data_type != "decimal":
        return 0
    if field_id == "Rate":
        return 10
    if field_id.startswith("Am") or field_id in _AMOUNT_IDS:
        return 2
    if "%" in label or any(abs(m - 0.01) < 1e-12 for m in multiple_ofs):
        return 2
    return 0


def _label(prop: dict[str, Any]) -> str:
    lines = (prop.get("description") or "").strip().splitlines()
    return lines[0].strip() if lines else ""


def _facts(prop: dict[str, Any], where: str) -> tuple[str, str, int, tuple[tuple[str, str], ...], bool]:
    data_type = _data_type(prop, where)
    memo = prop.get("type") == "string" and prop.get("format") == "byte"
    return data_type, _label(prop), int(prop.get("maxLength", 0)), _values(prop, where), memo


def _merge(
    name: str,
    post: _RawNode | None,
    put: _RawNode | None,
    keys: dict[str, list[str]],
    where: str,
) -> Obj:
    """Merge the POST and PUT variants of one object node."""
    nodes = [n for n in (post, put) if n is not None]
    order: list[str] = []
    for n in nodes:
        order += [f for f in n.fields if f not in order]
    fields: list[Field] = []
    for fid in order:
        props = [n.fields[fid] for n in nodes if fid in n.fields]
        facts = {_facts(p, f"{where}.{fid}") for p in props}
        if len(facts) != 1:
            raise ValueError(f"{where}.{fid}: POST and PUT disagree: {sorted(map(str, facts))}")
        data_type, label, length, values, memo = facts.pop()
        multiple_ofs = [float(p["multipleOf"]) for p in props if "multipleOf" in p]
        fields.append(
            Field(
                field_id=fid,
                data_type=data_type,
                label=label,
                length=length,
                decimals=_decimals(fid, data_type, label, multiple_ofs),
                mandatory_post=post is not None and fid in post.required,
                mandatory_put=put is not None and fid in put.required,
                values=values,
                memo=memo,
            )
        )
    child_names: list[str] = []
    for n in nodes:
        child_names += [c for c, _ in n.children if c not in child_names]
    children = []
    for child in child_names:
        cpost = dict(post.children).get(child) if post else None
        cput = dict(put.children).get(child) if put else None
        children.append(_merge(child, cpost, cput, keys, f"{where}/{child}"))
    key_set = set(keys.get(name, []))
    unknown = key_set - set(order)
    if unknown:
        raise ValueError(f"{where}: key attributes {sorted(unknown)} are not fields")
    key_fields = tuple(f for f in order if f in key_set)
    return Obj(name, tuple(fields), tuple(children), key_fields)


def _example_bodies(operation: dict[str, Any]) -> Iterator[Any]:
    content = operation.get("requestBody", {}).get("content", {})
    for media in content.values():
        for example in media.get("examples", {}).values():
            value = example.get("value")
            if isinstance(value, str):
                try:
                    value = json.loads(value)
                except ValueError:
                    continue
            yield value


def _example_attributes(body: Any, into: dict[str, list[str]]) -> None:
    """Collect ``@Key`` element attributes per object name from one example body."""

    def walk(name: str, wrapper: Any) -> None:
        if not isinstance(wrapper, dict):
            return
        element = wrapper.get("Element")
        for el in element if isinstance(element, list) else [element]:
            if not isinstance(el, dict):
                continue
            for key in el:
                if key.startswith("@") and key[1:] not in into.setdefault(name, []):
                    into[name].append(key[1:])
            objects = el.get("Objects")
            for entry in objects if isinstance(objects, list) else [objects]:
                if isinstance(entry, dict):
                    for child, child_wrapper in entry.items():
                        walk(child, child_wrapper)

    if isinstance(body, dict):
        for root, wrapper in body.items():
            walk(root, wrapper)


def _connector_paths(spec: dict[str, Any], cid: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    prefix = f"/connectors/{cid}"
    for path, item in spec.get("paths", {}).items():
        if path == prefix or path.startswith(prefix + "/"):
            for method, op in item.items():
                if method.upper() in _VERBS and isinstance(op, dict):
                    yield path, method.upper(), op


def _read_connector(spec: dict[str, Any], cid: str, description: str) -> Connector:
    schemas = spec["components"]["schemas"]
    raw: dict[str, tuple[str, _RawNode]] = {}
    for verb in ("POST", "PUT"):
        schema = schemas.get(f"{cid}_{verb}")
        if schema is None:
            continue
        roots = list(schema.get("properties", {}).items())
        if len(roots) != 1:
            raise ValueError(f"{cid}_{verb}: expected one root object, got {[r for r, _ in roots]}")
        root_name, root_schema = roots[0]
        raw[verb] = (root_name, _parse_node(root_schema, f"{cid}_{verb}/{root_name}"))
    if not raw:
        raise ValueError(f"{cid}: no {cid}_POST or {cid}_PUT schema")
    root_names = {name for name, _ in raw.values()}
    if len(root_names) != 1:
        raise ValueError(f"{cid}: POST and PUT have different roots {sorted(root_names)}")
    root_name = root_names.pop()

    verbs: set[str] = set()
    summaries: list[str] = []
    keys: dict[str, list[str]] = {}
    delete_path: str | None = None
    for path, verb, op in _connector_paths(spec, cid):
        verbs.add(verb)
        summaries.append(op.get("summary", ""))
        for body in _example_bodies(op):
            _example_attributes(body, keys)
        if verb == "DELETE":
            documented = _UNDOCUMENTED_MARK not in (op.get("description") or "")
            segments = [s for s in path.split("/")[3:] if not s.startswith("{")]
            spec_path = "/".join(segments)
            if cid in DELETE_PATH_OVERRIDES and not documented:
                delete_path = DELETE_PATH_OVERRIDES[cid]
            elif documented:
                delete_path = spec_path
                for obj_name, key_segment in zip(segments[::2], segments[1::2], strict=False):
                    for key in key_segment.split(","):
                        if key.startswith("@") and key[1:] not in keys.setdefault(obj_name, []):
                            keys[obj_name].append(key[1:])
            else:
                raise ValueError(f"{cid}: DELETE path {path} is undocumented and has no override")
    summary_nl = summaries[0] if summaries else ""
    post = raw.get("POST", (root_name, None))[1]
    put = raw.get("PUT", (root_name, None))[1]
    root = _merge(root_name, post, put, keys, cid)
    return Connector(cid, description, summary_nl, root, frozenset(verbs), delete_path)


def _source_facts(spec_dir: Path, specs: Iterable[dict[str, Any]]) -> tuple[str, str]:
    versions = {s.get("info", {}).get("version", "") for s in specs}
    if len(versions) != 1:
        raise ValueError(f"spec files report different versions: {sorted(versions)}")
    readme = spec_dir / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    m = re.search(r"commit\s+([0-9a-f]{7,40})", text)
    return versions.pop(), (m.group(1) if m else "unknown")


def read_connectors(spec_dir: Path) -> tuple[list[Connector], str, str]:
    """Read and merge all ``CONNECTORS`` from the spec files in ``spec_dir``."""
    cache: dict[str, dict[str, Any]] = {}
    out = []
    for cid, file_name, description in CONNECTORS:
        if file_name not in cache:
            cache[file_name] = json.loads((spec_dir / file_name).read_text(encoding="utf-8"))
        out.append(_read_connector(cache[file_name], cid, description))
    version, commit = _source_facts(spec_dir, cache.values())
    return out, version, commit


# --------------------------------------------------------------------------------------------------
# writing the module


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper()


def _tag(cid: str) -> str:
    """Short suffix for a variant: KnSalesRelationOrg -> SALES_ORG, FiEntries -> FI_ENTRIES."""
    short = cid[2:] if cid.startswith("Kn") else cid
    return _snake(short.replace("Relation", ""))


def _tuple(items: Iterable[str]) -> str:
    """A tuple display of already rendered items: (), (a,) or (a, b)."""
    items = list(items)
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def _q(text: str) -> str:
    """A double-quoted Python string literal."""
    return json.dumps(text, ensure_ascii=False)


@dataclass
class _Registry:
    objects: list[Obj]
    users: dict[Obj, list[str]]
    names: dict[Obj, str]
    value_names: dict[tuple[tuple[str, str], ...], str]


def _register(connectors: list[Connector]) -> _Registry:
    objects: list[Obj] = []
    users: dict[Obj, list[str]] = {}
    first_connector: dict[Obj, str] = {}

    def visit(obj: Obj, cid: str, path: str) -> None:
        for child in obj.objects:
            visit(child, cid, f"{path} > {child.name}")
        if obj not in users:
            objects.append(obj)
            users[obj] = []
            first_connector[obj] = cid
        users[obj].append(path)

    for c in connectors:
        visit(c.root, c.id, f"{c.id}: {c.root.name}")

    names: dict[Obj, str] = {}
    by_name: dict[str, list[Obj]] = {}
    for obj in objects:
        by_name.setdefault(obj.name, []).append(obj)
    taken: set[str] = set()
    for obj in objects:
        base = _snake(obj.name)
        name = base if len(by_name[obj.name]) == 1 else f"{base}_{_tag(first_connector[obj])}"
        n, candidate = 2, name
        while candidate in taken:
            candidate, n = f"{name}_{n}", n + 1
        taken.add(candidate)
        names[obj] = candidate

    value_names: dict[tuple[tuple[str, str], ...], str] = {}
    for obj in objects:
        for f in obj.fields:
            if f.values and f.values not in value_names:
                base = f"_V_{_snake(f.field_id)}"
                n, candidate = 2, base
                while candidate in value_names.values():
                    candidate, n = f"{base}_{n}", n + 1
                value_names[f.values] = candidate
    return _Registry(objects, users, names, value_names)


def _field_line(f: Field, reg: _Registry) -> str:
    parts = [_q(f.field_id), _q(f.data_type), _q(f.label)]
    if f.length:
        parts.append(f"length={f.length}")
    if f.decimals:
        parts.append(f"decimals={f.decimals}")
    if f.mandatory_post:
        parts.append("mandatory_post=True")
    if f.mandatory_put:
        parts.append("mandatory_put=True")
    if f.values:
        parts.append(f"values={reg.value_names[f.values]}")
    if f.memo:
        parts.append("memo=True")
    return f"        UField({', '.join(parts)}),"


def _variant_note(obj: Obj, first: Obj, reg: _Registry) -> list[str]:
    """Comment lines describing how ``obj`` differs from the first variant of its name."""
    mine = {f.field_id: f for f in obj.fields}
    theirs = {f.field_id: f for f in first.fields}
    notes = []
    extra = [f for f in mine if f not in theirs]
    lacking = [f for f in theirs if f not in mine]
    changed = [f for f in mine if f in theirs and mine[f] != theirs[f]]
    if extra:
        notes.append(f"adds {', '.join(extra)}")
    if lacking:
        notes.append(f"lacks {', '.join(lacking)}")
    for fid in changed:
        a, b = theirs[fid], mine[fid]
        attrs = ("data_type", "label", "length", "decimals", "mandatory_post", "mandatory_put", "memo")
        what = [attr for attr in attrs if getattr(a, attr) != getattr(b, attr)]
        if a.values != b.values:
            codes_a, codes_b = [c for c, _ in a.values], [c for c, _ in b.values]
            added = [c for c in codes_b if c not in codes_a]
            removed = [c for c in codes_a if c not in codes_b]
            detail = []
            if added:
                detail.append(f"+{'/'.join(added)}")
            if removed:
                detail.append(f"-{'/'.join(removed)}")
            what.append(f"codes {' '.join(detail) or 'texts'}")
        notes.append(f"{fid}: {', '.join(what)}")
    child_a = [reg.names[o] for o in first.objects]
    child_b = [reg.names[o] for o in obj.objects]
    if child_a != child_b:
        notes.append(f"children {', '.join(child_b) or '(none)'} instead of {', '.join(child_a) or '(none)'}")
    if obj.key_fields != first.key_fields:
        notes.append(f"key fields {obj.key_fields}")
    text = f"# Variant of {reg.names[first]}: {'; '.join(notes) or 'no field differences'}."
    return _wrap_comment(text)


def _wrap_comment(text: str, width: int = 108) -> list[str]:
    words, lines, line = text.split(" "), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = "#  " + w
        else:
            line = f"{line} {w}" if line else w
    lines.append(line)
    return lines


_HEADER = '''\
# ruff: noqa: E501
"""UpdateConnector definitions for the emulator: objects, fields and their facts.

GENERATED from AFAS's official OpenAPI files (version {version}, AFASSoftware/OASContent commit
{commit}, read from ../shared/afas-openapi) by tools/gen_update_fields.py. Do not edit by hand:
re-run ``python tools/gen_update_fields.py`` instead (tests/emulator/test_update_fields.py checks
that this file matches the generator's output).

What comes from where:

* ``field_id``, ``label`` (first line of the OpenAPI description), ``length`` (``maxLength`` or 0),
  ``values`` (``enum`` codes with the texts of the description's ``code = text;`` lines) and the
  object tree (``Element`` > ``Fields`` / ``Objects``) come from the ``<Id>_POST`` and ``<Id>_PUT``
  request-body schemas, merged: ``mandatory_post`` / ``mandatory_put`` are the schemas'
  ``required`` lists (``mandatory_put`` is False throughout when a connector has no PUT).
* ``data_type``: string -> "string", string with format date or date-time -> "date",
  integer -> "int", number -> "decimal", boolean -> "boolean". ``memo`` marks strings of format
  ``byte`` (remarks, base64 file content), which have no maximum length.
* ``decimals`` (decimal fields only): ``Rate`` (exchange rate) 10; amounts 2 (ids starting with
  "Am", and AcPa, Krli, MaIn, MiIn); percentages 2 ("%" in the label, or ``multipleOf: 0.01`` in
  the spec); other decimals 0. The PUT schemas' ``multipleOf: 1e-10`` on MaIn/MiIn is ignored.
* ``key_fields``: the ``@Key`` element attributes used in the official request examples and the
  ``@`` keys of the documented DELETE path.
* ``verbs``: the POST/PUT/DELETE operations under ``/connectors/<Id>``. ``delete_path`` is the
  DELETE path after ``/connectors/<Id>/`` without its value segments. FiEntries' spec path is a
  placeholder ("parameters not yet documented"); its ``delete_path`` comes from
  markdownpages/endpoint/en/fientries-delete.md, and .../FiEntries/InId/{{InId}} works as well.
* ``description`` is English, written in the generator; the spec's (Dutch) operation summary is
  quoted in a comment at each connector.

Objects are module-level constants, each defined once and reused wherever an identical object
(same fields, facts, children and keys) occurs. Objects of the same name that differ between
connectors get one constant per variant, suffixed with the first connector that uses it; a comment
says how each variant differs from the first one.
"""

from __future__ import annotations

from afas.emulator.update_model import UConnector, UField, UObject

__all__ = [
{all_names}
]
'''


def generate(spec_dir: Path) -> str:
    """Return the source text of afas/emulator/update_fields.py generated from ``spec_dir``."""
    connectors, version, commit = read_connectors(spec_dir)
    reg = _register(connectors)
    object_names = [reg.names[o] for o in reg.objects]
    all_names = ["UField", "UObject", "UConnector", "UPDATE_CONNECTORS", *object_names]
    out = [
        _HEADER.format(
            version=version, commit=commit, all_names="\n".join(f"    {_q(n)}," for n in all_names)
        )
    ]

    out.append("\n# Code lists (code, description), shared by every field that has the same list.\n")
    for values, name in reg.value_names.items():
        out.append(f"{name}: tuple[tuple[str, str], ...] = (")
        out += [f"    ({_q(code)}, {_q(text)})," for code, text in values]
        out.append(")")
    out.append("")

    first_of: dict[str, Obj] = {}
    for obj in reg.objects:
        first_of.setdefault(obj.name, obj)
    for obj in reg.objects:
        out.append("")
        for path in reg.users[obj]:
            out += _wrap_comment(f"# {path}")
        if first_of[obj.name] is not obj:
            out += _variant_note(obj, first_of[obj.name], reg)
        out.append(f"{reg.names[obj]} = UObject(")
        out.append(f"    name={_q(obj.name)},")
        out.append("    fields=(")
        out += [_field_line(f, reg) for f in obj.fields]
        out.append("    ),")
        out.append(f"    objects={_tuple(reg.names[o] for o in obj.objects)},")
        out.append(f"    key_fields={_tuple(_q(k) for k in obj.key_fields)},")
        out.append(")")

    out.append("")
    out.append("UPDATE_CONNECTORS: dict[str, UConnector] = {")
    for c in connectors:
        nested = sum(1 for _ in _walk(c.root))
        n_fields = sum(len(o.fields) for o in _walk(c.root))
        plural = "" if nested == 1 else "s"
        out.append(f"    # spec summary {_q(c.summary_nl)}; {nested} object{plural}, {n_fields} fields")
        out.append(f"    {_q(c.id)}: UConnector(")
        out.append(f"        id={_q(c.id)},")
        out.append(f"        description={_q(c.description)},")
        out.append(f"        root={reg.names[c.root]},")
        verbs = ", ".join(_q(v) for v in _VERBS if v in c.verbs)
        out.append(f"        verbs=frozenset({{{verbs}}}),")
        out.append(f"        delete_path={_q(c.delete_path) if c.delete_path else None},")
        out.append("    ),")
    out.append("}")
    return "\n".join(out) + "\n"


def _walk(obj: Obj) -> Iterator[Obj]:
    yield obj
    for child in obj.objects:
        yield from _walk(child)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec_dir", nargs="?", type=Path, default=DEFAULT_SPEC_DIR)
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="only compare OUTPUT with the generated text")
    args = parser.parse_args(argv)
    if not args.spec_dir.is_dir():
        print(
            f"{args.spec_dir}: not found (AFAS's OpenAPI files belong in ../shared/afas-openapi)",
            file=sys.stderr,
        )
        return 2
    text = generate(args.spec_dir)
    if args.check:
        same = args.output.exists() and args.output.read_text(encoding="utf-8") == text
        print(f"{args.output}: {'up to date' if same else 'differs from the generated text'}")
        return 0 if same else 1
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
