"""An upload read once, into a Parquet file that the preview, every mapping change and the import
read from, so the dashboard never keeps a large file as Python objects and never reads it twice.

:func:`stage` returns a :class:`~afas.recon.tables.TextTable` whose cells are in
``<directory>/<sha256>-<sheet>.parquet`` (with its headers, format and a bank statement's balances
beside it in a .json file); the same file staged again is found there. Files larger than
:data:`ISOLATE_FROM` and every .xls are read in a separate Python process (``python -m
afas.recon.staging``), at low priority and with its memory capped: parsing there holds no lock the
dashboard's other users wait for, whatever memory it takes is given back when it ends, and a reader that
fails hard (calamine aborts on some damaged workbooks) takes only that process down. The staging folder
is pruned as it is used: files older than :data:`KEEP_SECONDS`, then the oldest beyond
:data:`KEEP_BYTES`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

from afas.i18n import Language, current, tr, use
from afas.recon.bankstatements import StatementBalance
from afas.recon.limits import MAX_UPLOAD_MB
from afas.recon.tables import LedgerFileError, TextTable

__all__ = ["ISOLATE_FROM", "KEEP_BYTES", "KEEP_SECONDS", "stage"]

ISOLATE_FROM = 1024 * 1024
"""Files from this size on are read in a separate process."""
ISOLATE_UNPACKED_FROM = 8 * 1024 * 1024
"""Workbooks that unpack to this much (by their ZIP directory) are too, however small the file."""
KEEP_SECONDS = 6 * 3600
KEEP_BYTES = 4 * MAX_UPLOAD_MB * 1024 * 1024
CHILD_MEMORY = 6 * 1024**3
"""The address space a reading process may take (a 200 MB CSV needs about 1.5 GB)."""
CHILD_SECONDS = 600
CHILD_NICE = 10
"""How much the reading process yields the processor to the dashboard's own threads (os.nice)."""
_META = (
    "headers",
    "file_format",
    "num_rows",
    "encoding",
    "delimiter",
    "sheet",
    "sha256",
    "file_name",
    "notices",
    "header_line",
    "layout",
    "headerless",
    "header_cells",
    "header_guessed",
    "balances",
)
_STATEMENTS = ("mt940", "camt053")
"""The formats whose tables carry ``balances``."""
_ROOT = Path(__file__).resolve().parents[2]


def _paths(directory: Path, digest: str, sheet: str | int | None) -> tuple[Path, Path]:
    key = "first" if sheet is None else hashlib.sha256(repr(sheet).encode()).hexdigest()[:12]
    # The reader's notices are kept in the .json in the language they were written in: one per language.
    language = "" if current() is Language.EN else f"-{current().value}"
    stem = directory / f"{digest}-{key}{language}"
    return stem.with_suffix(".parquet"), stem.with_suffix(".json")


def _load(parquet: Path, meta: Path) -> TextTable | None:
    try:
        values = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not parquet.exists():
        return None
    now = time.time()
    for path in (parquet, meta):  # used again: kept longer
        os.utime(path, (now, now))
    found = {k: values.get(k) for k in _META}
    found["notices"] = tuple(found["notices"] or ())
    balances = _balances(values)
    if balances is None:  # staged before statements' balances were kept in this shape: read it again
        return None
    found["balances"] = balances
    found["headerless"] = bool(found["headerless"])
    found["header_guessed"] = bool(found["header_guessed"])
    found["header_cells"] = tuple(found["header_cells"]) if found["header_cells"] is not None else None
    return TextTable(path=parquet, **found)


def _balances(values: dict) -> tuple[StatementBalance, ...] | None:
    """A bank statement's balances from the .json (dates ISO text, amounts Decimal text); None when
    the .json holds none in this shape although the file is a statement (staged by an older version)."""
    if "balances" not in values:
        return None if values.get("file_format") in _STATEMENTS else ()
    try:
        return tuple(StatementBalance.from_json(b) for b in values["balances"] or ())
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return None


def _temporary(path: Path) -> Path:
    """A name beside ``path`` no other process or thread uses (two sessions may stage one file)."""
    return path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")


def _read_into(data: bytes, file_name: str, sheet: str | int | None, parquet: Path, digest: str) -> TextTable:
    """Read the file and stage it; the CSV reader writes its Parquet file itself, the rest here."""
    from afas.recon.readers import read_ledger_table

    temporary = _temporary(parquet)
    try:
        table = read_ledger_table(data, file_name, sheet, into=temporary, sha256=digest)
        return _write(table, parquet, parquet.with_suffix(".json"), temporary)
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()


def _write(table: TextTable, parquet: Path, meta: Path, temporary: Path) -> TextTable:
    """Write the table's cells (unless the reader wrote them to ``temporary``) and description;
    atomically, so a reader never sees half a file."""
    import pyarrow.parquet as pq

    if table.data is not None:
        pq.write_table(table.data, temporary, compression="zstd")
    else:
        assert table.path == temporary, "a reader wrote its cells somewhere else"
    os.replace(temporary, parquet)
    values = {k: getattr(table, k) for k in _META}
    values["balances"] = [b.to_json() for b in table.balances]  # dates ISO, amounts as Decimal text
    temporary = _temporary(meta)
    temporary.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, meta)
    return table.without_data(parquet)


def _prune(directory: Path) -> None:
    now = time.time()
    try:
        entries = sorted(
            ((p.stat().st_mtime, p.stat().st_size, p) for p in directory.iterdir() if p.is_file()),
            reverse=True,
        )
    except OSError:
        return
    kept = 0
    for mtime, size, path in entries:
        kept += size
        in_flight = path.name.startswith(".")  # an upload being read, a file being written
        if now - mtime > KEEP_SECONDS or (kept > KEEP_BYTES and not in_flight):
            with contextlib.suppress(OSError):
                path.unlink()


def _needs_isolation(data: bytes) -> bool:
    if len(data) >= ISOLATE_FROM or data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # or .xls
        return True
    if data.startswith(b"PK\x03\x04"):  # a small workbook may still unpack to a lot of XML to check
        import io
        import zipfile

        try:
            unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
        except Exception:  # a damaged archive: the reader says so, here or there
            return False
        return unpacked >= ISOLATE_UNPACKED_FROM
    return False


def stage(
    data: bytes,
    file_name: str,
    directory: str | os.PathLike[str],
    sheet: str | int | None = None,
    isolate: bool | None = None,
    sha256: str | None = None,
) -> TextTable:
    """The file read into ``directory`` (or found there); LedgerFileError says what is wrong with it.

    ``isolate`` forces the separate process (True) or this one (False); by default files from
    :data:`ISOLATE_FROM` bytes and .xls workbooks go to a separate process. ``sha256`` is the
    file's digest when the caller has it already.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    digest = sha256 or hashlib.sha256(data).hexdigest()
    parquet, meta = _paths(directory, digest, sheet)
    found = _load(parquet, meta)
    if found is not None:
        return replace(found, file_name=file_name)
    _prune(directory)
    if isolate if isolate is not None else _needs_isolation(data):
        table = _stage_in_child(data, file_name, sheet, parquet, meta, digest)
    else:
        table = _read_into(data, file_name, sheet, parquet, digest)
    return replace(table, file_name=file_name)


def _stage_in_child(
    data: bytes, file_name: str, sheet: str | int | None, parquet: Path, meta: Path, digest: str
) -> TextTable:
    handle, upload = tempfile.mkstemp(prefix=".upload-", dir=parquet.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        request = json.dumps(
            {
                "upload": upload,
                "file_name": file_name,
                "sheet": sheet,
                "parquet": str(parquet),
                "sha256": digest,
                "memory": CHILD_MEMORY,
                "nice": CHILD_NICE,
                "language": current().value,
            }
        )
        path = os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))
        env = {**os.environ, "PYTHONPATH": path}
        try:
            done = subprocess.run(
                [sys.executable, "-m", "afas.recon.staging"],
                input=request,
                capture_output=True,
                text=True,
                timeout=CHILD_SECONDS,
                env=env,
                cwd=str(_ROOT),
            )
        except subprocess.TimeoutExpired:
            raise LedgerFileError(
                tr(
                    "Reading {name} took longer than {minutes} minutes and was stopped; "
                    "export a smaller period, or the ledger as CSV."
                ).format(name=file_name, minutes=int(CHILD_SECONDS // 60))
            ) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(upload)
    answer = _answer(done.stdout)
    if answer is None:
        raise LedgerFileError(
            tr(
                "{name} could not be read: the reader stopped without an answer (exit status "
                "{status}; a workbook needing more memory than an upload may use does this). Save the "
                "ledger as CSV and upload that file."
            ).format(name=file_name, status=done.returncode)
        )
    if "error" in answer:
        raise LedgerFileError(answer["error"], answer.get("hint"))
    found = _load(parquet, meta)
    if found is None:
        raise LedgerFileError(
            tr("{name} could not be read: the reader's result is missing; try again.").format(name=file_name)
        )
    return found


def _answer(stdout: str) -> dict | None:
    for line in reversed(stdout.splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def _child() -> int:
    """Read one upload as asked on stdin; answer one line of JSON on stdout."""
    request = json.loads(sys.stdin.read())
    use(Language(request.get("language") or Language.EN.value))  # the asking session's language
    try:
        import resource

        memory = int(request.get("memory") or CHILD_MEMORY)
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        os.nice(int(request.get("nice", CHILD_NICE)))  # the dashboard's other users come first
    except (ImportError, OSError, ValueError):
        pass
    parquet = Path(request["parquet"])
    try:
        data = Path(request["upload"]).read_bytes()
        _read_into(data, request["file_name"], request["sheet"], parquet, request["sha256"])
    except LedgerFileError as exc:
        print(json.dumps({"error": exc.message, "hint": exc.hint}))
        return 0
    except MemoryError:
        message = tr(
            "{name} needs more memory to read than an upload may use; export the ledger as CSV, or a "
            "shorter period."
        ).format(name=request["file_name"])
        print(json.dumps({"error": message}))
        return 0
    print(json.dumps({"ok": True}))
    return 0


if __name__ == "__main__":
    raise SystemExit(_child())
