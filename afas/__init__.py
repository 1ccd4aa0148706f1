"""The AFAS Profit reconciliation dashboard's core: everything that is not rendering.

Imports run one way: ``afas.ui`` (Streamlit glue, with ``pages/``) -> ``afas.corrections``,
``afas.recon`` -> ``afas.warehouse`` -> ``afas.profit`` -> ``afas.errors``. ``afas.emulator`` stands in
for AFAS and imports nothing of the app. Only ``afas.ui`` (and ``pages/``) import streamlit.
"""
