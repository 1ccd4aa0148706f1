"""Corrections: differences -> plan items -> UpdateConnector payloads, local validation, the outbox.

- plans: the plan items (journal entry, new relation, relation change, allocation code) and defaults
- entries, masterdata: builders from reconciliation differences to plan items
- payloads: the exact request body of each item; validation: AFAS's checks, locally, in its words
- outbox (+ outcomes, readback, schema, serialize): approve -> send -> confirmed | rejected | unknown
- claims: which sender (dashboard session, CLI run) holds an outbox item, and whether it still lives
- audit: the event log and its JSONL/Excel export; cli: ``python -m afas post``
"""
