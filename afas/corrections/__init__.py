"""Corrections: differences -> plan items -> UpdateConnector payloads, local validation, the outbox.

- plans: the plan items (journal entry, new relation, relation change, allocation code), the one
  interface they answer (PlanItem, kinds as PlanKind) and the user's defaults
- entries, masterdata: builders from reconciliation differences to plan items (modes: CorrectionMode)
- from_recon, from_master: a reconciliation run's or a master-data comparison's differences as items
- payloads: the exact request body of each item; validation: AFAS's checks, locally, in its words
- outbox (+ outcomes, readback, schema, serialize): approve -> send -> confirmed | rejected | unknown
  (states as OutboxState, stored as their text)
- claims: which sender (dashboard session, CLI run) holds an outbox item, and whether it still lives
- folding: the journal lines with this tool's confirmed corrections folded in, for matching again
- review, tables: what the Corrections page and the outbox grids show, ready to render
- audit: the event log, the Audit page's table and its JSONL/Excel export

Imports afas.profit, afas.warehouse and afas.recon below it (and afas.errors, afas.catalogue); never
streamlit, afas.ui or afas.cli. The words a user reads for a state, kind or mode come from afas.catalogue.
"""
