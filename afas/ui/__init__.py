"""Streamlit glue shared by the pages: the connection and the embedded demo, cached warehouse reads,
showing errors and user text (``errors``, ``text``), session checks. The only package of ``afas``
that imports streamlit; decisions stay in the packages below it."""
