"""A faithful AFAS Profit REST server (ASGI, served by uvicorn) with a deterministic demo administration.

URL layout, AfasToken auth, metainfo, GetConnector paging/filters/sorting, UpdateConnector envelopes,
validation, error bodies and status codes as AFAS documents them; faults on request (latency,
500/503, drops, lost responses). Imports nothing of the app: it stands in for AFAS.
"""
