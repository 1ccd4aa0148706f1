"""Command line: ``python -m afas <command>`` (see afas.cli for the commands and exit status).

- ``emulator``: serve the AFAS Profit emulator with its demo administration over HTTP.
- ``check``: the readiness check against an AFAS environment (or the emulator).
- ``sync``: pull the GetConnectors into a DuckDB file (incremental for journal lines by default).
- ``reconcile``: import a ledger file and match it against the synced journal lines.
- ``post``: send the approved corrections in the outbox to AFAS (never twice).

The AFAS token of a real environment is read only from the AFAS_TOKEN environment variable, never
from the command line (where it would land in shell history and process lists).
"""

from __future__ import annotations

import sys

from afas.cli.main import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
