"""The importer interface: each format is one class that recognises its own files and no other's, the
formats do not lean on one another, afas.recon has no import cycle, and the registry decides alone.

The import checks read the source with ast (every import, those inside functions too), so a lazy
import that closes a cycle is caught as surely as one at the top of a module.
"""

from __future__ import annotations

import ast
import io
import zipfile
from pathlib import Path
from typing import ClassVar

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter

from afas.recon import readers
from afas.recon.ledgerformat import Confidence, LedgerFormat, Verdict
from afas.recon.limits import FORMAT_LIMITS, FileTooLarge, check_size, upload_help
from afas.recon.readers import FORMATS, LedgerFileError, UnrecognisedFile, detect_format, identify
from tests.recon import xaf_fixtures

ROOT = Path(__file__).resolve().parents[2]
RECON = ROOT / "afas" / "recon"
DATA = ROOT / "tests" / "data" / "ledgers"
REALFILES = ROOT.parent / "shared" / "realfiles" / "files"
NO_REALFILES = "../shared/realfiles (real bank and ledger exports) is not present beside the project"


# --- imports, read from the source ------------------------------------------------------------------


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {_module(path): path for path in sorted(RECON.rglob("*.py"))}


def _imports(name: str) -> set[str]:
    """The afas.recon modules ``name`` imports anywhere in its source, and its parent packages (which
    Python imports first)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import module`
    parents = {".".join(name.split(".")[:i]) for i in range(2, name.count(".") + 1)}
    return {module for module in found | parents if module in MODULES and module != name}


FORMAT_MODULES = sorted(name for name in MODULES if name.startswith("afas.recon.formats."))


def test_the_import_reader_sees_lazy_and_package_imports():
    assert "afas.recon.readers" in _imports("afas.recon.staging")  # imported inside a function
    assert "afas.recon.formats" in _imports("afas.recon.formats.mt940")  # its package comes first
    assert "afas.recon.formats.mt940" in _imports("afas.recon.readers")


@pytest.mark.parametrize("name", FORMAT_MODULES)
def test_no_format_imports_another_format_or_the_registry(name):
    imported = _imports(name)
    assert "afas.recon.readers" not in imported
    assert not imported & (set(FORMAT_MODULES) - {name})


def test_the_formats_package_itself_imports_no_format():
    assert _imports("afas.recon.formats") <= {"afas.recon"}


def test_afas_recon_has_no_import_cycle():
    graph = {name: _imports(name) for name in MODULES}
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            cycle = path[path.index(name) :] + [name]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if name in done:
            return
        for imported in sorted(graph[name]):
            visit(imported, [*path, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


# --- each format knows its own files ------------------------------------------------------------------


def _zip(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part, text in parts.items():
            archive.writestr(part, text)
    return buffer.getvalue()


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Grootboek")
    sheet.write_row(0, 0, ["Datum", "Bedrag"])
    sheet.write_row(1, 0, ["01-03-2025", 12.5])
    book.close()
    return buffer.getvalue()


def _ods() -> bytes:
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    rows = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'
            for text in cells
        )
        + "</table:table-row>"
        for cells in (("Datum", "Bedrag"), ("01-03-2025", "12,50"))
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Blad1">{rows}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    return _zip(
        {
            "mimetype": "application/vnd.oasis.opendocument.spreadsheet",
            "content.xml": content,
            "META-INF/manifest.xml": manifest,
        }
    )


def _parquet() -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"datum": ["2025-03-01"], "bedrag": [12.5]}), buffer)
    return buffer.getvalue()


_XAF_TRANSACTION = xaf_fixtures.transaction(
    1,
    "2025-03-01",
    3,
    [xaf_fixtures.trline(1, "1000", "12.50", "D"), xaf_fixtures.trline(2, "8000", "12.50", "C")],
)

SAMPLES: dict[str, bytes] = {
    "csv": b"Datum;Bedrag\n01-03-2025;12,50\n",
    "xlsx": _xlsx(),
    # No library here writes BIFF; an .xls is recognised by its OLE compound-file signature alone.
    "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
    "ods": _ods(),
    "parquet": _parquet(),
    "mt940": (DATA / "statement.mt940").read_bytes(),
    "camt053": (DATA / "statement.camt053.xml").read_bytes(),
    "camt053zip": _zip({"statement.xml": (DATA / "statement.camt053.xml").read_text(encoding="utf-8")}),
    "xaf": xaf_fixtures.auditfile([xaf_fixtures.journal("50", "Bank", [_XAF_TRANSACTION])]),
}


def test_every_registered_format_has_a_sample_here():
    assert sorted(SAMPLES) == sorted(found.name for found in FORMATS)
    assert len({found.name for found in FORMATS}) == len(FORMATS)


@pytest.mark.parametrize("found", FORMATS, ids=lambda found: found.name)
def test_a_format_claims_its_own_sample_and_declines_the_others(found: LedgerFormat):
    own = found.identify(SAMPLES[found.name], f"sample.{found.name}")
    assert own.claims, own
    assert detect_format(SAMPLES[found.name], "sample") == found.name
    for other, data in SAMPLES.items():
        if other == found.name:
            continue
        verdict = found.identify(data, f"sample.{other}")
        if verdict.claims:  # only the fallback, or XML's shape, claims another format's text, less surely
            mine = next(f for f in FORMATS if f.name == other).identify(data, "sample")
            assert verdict.confidence in (Confidence.FALLBACK, Confidence.SHAPE), (other, verdict)
            assert verdict.confidence < mine.confidence, (other, verdict)
        elif verdict.refuses:  # the workbook formats refuse any other ZIP; a claim as sure wins
            mine = next(f for f in FORMATS if f.name == other).identify(data, "sample")
            assert mine.claims and verdict.confidence <= mine.confidence, (other, verdict)
        else:
            assert verdict.confidence is None and verdict.reason, (other, verdict)


def test_a_format_reads_its_own_sample():
    for found in FORMATS:
        if found.name == "xls":  # the sample is a signature only
            continue
        table = found.read(SAMPLES[found.name], f"sample.{found.name}")
        assert table.num_rows >= 1 and table.headers, found.name


def test_workbook_formats_list_their_sheets_and_others_have_none():
    assert readers.sheet_names(SAMPLES["xlsx"]) == ["Grootboek"]
    assert readers.format_named("csv").sheet_names(SAMPLES["csv"], "x.csv") is None
    with pytest.raises(LedgerFileError, match="cannot be opened"):
        readers.sheet_names(SAMPLES["csv"], "x.csv")


# --- the dispatch ---------------------------------------------------------------------------------------


class _Fixed(LedgerFormat):
    """A format that answers one verdict whatever the file."""

    label: ClassVar[str] = "Fixed"
    max_mb: ClassVar[int] = 1

    def __init__(self, name: str, verdict: Verdict) -> None:
        self.name = name  # type: ignore[misc]
        self.verdict = verdict

    def identify(self, data: bytes, file_name: str) -> Verdict:
        return self.verdict

    def read(self, data, file_name, *, sheet=None, into=None):
        raise AssertionError("not read in these tests")


def test_the_surest_verdict_decides(monkeypatch):
    claim = _Fixed("claim", Verdict.claim(Confidence.CONTENT))
    surer = _Fixed("surer", Verdict.claim(Confidence.SIGNATURE))
    monkeypatch.setattr(readers, "FORMATS", (claim, surer))
    assert identify(b"x", "f") is surer
    tie = _Fixed("tie", Verdict.claim(Confidence.CONTENT))
    monkeypatch.setattr(readers, "FORMATS", (claim, tie))
    assert identify(b"x", "f") is claim  # equally sure: the earlier one


def test_a_refusal_decides_only_when_surer_than_every_claim(monkeypatch):
    refusal = _Fixed("refuses", Verdict.refuse(Confidence.CONTENT, "is refused; do this instead"))
    as_sure = _Fixed("claims", Verdict.claim(Confidence.CONTENT))
    monkeypatch.setattr(readers, "FORMATS", (refusal, as_sure))
    assert identify(b"x", "f") is as_sure
    less_sure = _Fixed("falls back", Verdict.claim(Confidence.FALLBACK))
    monkeypatch.setattr(readers, "FORMATS", (less_sure, refusal))
    with pytest.raises(LedgerFileError, match=r"^ledger\.x is refused; do this instead\.$"):
        identify(b"x", "ledger.x")


def test_a_file_no_format_takes_is_unrecognised_with_every_reason():
    with pytest.raises(UnrecognisedFile) as info:
        identify(b"%PDF-1.7\n", "scan.pdf")
    assert str(info.value) == (
        "scan.pdf is a PDF document, not a ledger export; upload a CSV, Excel, Parquet, MT940, CAMT.053 "
        "or XAF file."
    )
    assert set(info.value.reasons) == {found.name for found in FORMATS}
    assert isinstance(info.value, LedgerFileError)


def test_an_empty_file_is_refused_before_any_format_is_asked(monkeypatch):
    monkeypatch.setattr(readers, "FORMATS", (_Fixed("claims", Verdict.claim(Confidence.SIGNATURE)),))
    with pytest.raises(LedgerFileError, match="is empty"):
        identify(b" \r\n\xef\xbb\xbf", "leeg.csv")


# --- limits from the registry ------------------------------------------------------------------------


def test_each_format_s_label_and_limit_reach_the_upload_widgets():
    for found in FORMATS:
        assert f"{found.label} up to {found.max_mb} MB" in upload_help()
        assert any(found.name in limit.formats and limit.max_mb == found.max_mb for limit in FORMAT_LIMITS)
        check_size(found.max_mb * 1024 * 1024, "f", found.name)
        with pytest.raises(FileTooLarge, match=f"reads {found.label} files up to {found.max_mb} MB"):
            check_size(found.max_mb * 1024 * 1024 + 1, "f", found.name)
    by_label: dict[str, set[int]] = {}
    for found in FORMATS:
        by_label.setdefault(found.label, set()).add(found.max_mb)
    assert all(len(sizes) == 1 for sizes in by_label.values())  # one label, one limit


# --- real exports -----------------------------------------------------------------------------------------

_KIND_BY_PREFIX = {
    "camt053": "camt053",
    "csv": "csv",
    "tab": "csv",
    "mt940": "mt940",
    "xlsx": "xlsx",
    "xaf": "xaf",
}


@pytest.mark.shared
def test_real_exports_are_recognised_as_their_names_say():
    if not REALFILES.is_dir():
        pytest.skip(NO_REALFILES)
    checked = 0
    for path in sorted(REALFILES.iterdir()):
        prefix = path.name.split("_", 1)[0]
        data = path.read_bytes()
        if path.suffix == ".zip":  # a ZIP of CAMT.053 statements
            assert detect_format(data, path.name) == "camt053zip", path.name
        elif prefix in _KIND_BY_PREFIX:
            assert detect_format(data, path.name) == _KIND_BY_PREFIX[prefix], path.name
            checked += 1
    assert checked >= 30
