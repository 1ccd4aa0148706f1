"""The DuckDB warehouse: the one opener of the file (``db``), its schema, the sync of GetConnectors
into typed tables (``sync``) and its history with the sync modes and statuses (``runs``), connection
profiles and the Configure form over them (``profiles``, ``profileform``), the Explore views and the
read-only SQL box. Imports ``afas.profit``, ``afas.errors`` and ``afas.catalogue`` of the app."""
