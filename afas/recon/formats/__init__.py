"""The ledger file formats, one small class each, behind :class:`afas.recon.ledgerformat.LedgerFormat`.

Each module holds one format: how it recognises a file (``identify``) and how it reads it into a
:class:`~afas.recon.tables.TextTable` (``read``), mostly by handing it to its reading engine
(:mod:`~afas.recon.csvfile`, :mod:`~afas.recon.workbooks`, :mod:`~afas.recon.bankstatements`). A
format module may import those engines, the shared primitives (:mod:`~afas.recon.tables`,
:mod:`~afas.recon.textfiles`) and :mod:`afas.recon.ledgerformat`; never another format module nor the
registry, :mod:`afas.recon.readers`, which lists the formats and asks them in turn
(tests/recon/test_formats.py checks both). This package's own ``__init__`` imports nothing, so that
importing one format does not import them all.
"""
