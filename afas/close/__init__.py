"""Month-end close: every balance-sheet account of an administration reconciled to its evidence for a
period, its differences explained by reconciling items, prepared by one person and reviewed by another.

:mod:`afas.close.schema` holds the tables and the closed vocabularies, :mod:`afas.close.balances` the
AFAS side (the balance at period end from Profit_Period_balance), :mod:`afas.close.evidence` the
supporting side (a bank statement's closing balance, open items, zero, an amount the user documents),
:mod:`afas.close.items` the reconciling items, :mod:`afas.close.signoff` preparing, reviewing and
reopening, :mod:`afas.close.overview` the grid the Close page and ``python -m afas close`` show, and
:mod:`afas.close.report` the auditor's workbook.
"""
