"""Reconciliation: ledger import (CSV, Excel, Parquet, MT940, CAMT.053) and the matching engine."""
