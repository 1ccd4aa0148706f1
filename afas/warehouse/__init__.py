"""The DuckDB warehouse: the one opener of the file (``db``), its schema, the sync of GetConnectors
into typed tables, connection profiles, the Explore views and the read-only SQL box. Imports
``afas.profit`` and ``afas.errors`` of the app."""
