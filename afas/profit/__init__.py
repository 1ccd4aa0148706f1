"""The AFAS Profit REST protocol: environment and token input, the HTTP client, filters, metainfo,
values, the readiness check and every error AFAS can answer with (``errors``). Imports only
``afas.errors`` of the app."""
