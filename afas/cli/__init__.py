"""The command line, ``python -m afas <command>``: one module per command, one ``main`` that shows
every :class:`afas.errors.AppError` in words and exits with its code.

Exit status, the same for every command:

- 0: done;
- 1: done, but AFAS refused or failed part of it (a connector did not sync, a correction was
  rejected or is unknown, the readiness check found problems);
- 2: the input cannot be used (an argument, the token, the environment number, a ledger file);
- 3: busy: someone else holds what was needed (a sync runs, the warehouse is open elsewhere,
  corrections are being sent by another session); run again later;
- 130: cancelled (Ctrl+C).

It may import every package of the app: it sits above them, as the dashboard's pages do.
"""
