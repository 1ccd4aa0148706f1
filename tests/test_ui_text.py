"""User-supplied text is shown literally: Markdown, Streamlit directives and HTML do nothing."""

from __future__ import annotations

import markdown_it
import pytest

from afas.ui.text import plain

HOSTILE = [
    "![pixel](http://attacker.example/p.png).csv",
    "[click](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    ":red[alarm] :material/warning: $x^2$",
    "# Heading\n- item\n**bold** _it_ `code` ~~gone~~",
    "a\\b | c | d",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_text_renders_as_itself(text):
    html = markdown_it.MarkdownIt("commonmark").enable("table").enable("strikethrough").render(plain(text))
    for tag in ("<img", "<a ", "<h1", "<li", "<strong", "<em", "<code", "<s>", "<del"):
        assert tag not in html, (text, html)
    # the text comes back whole (HTML-escaped by the renderer, line breaks as they were)
    shown = html.removeprefix("<p>").removesuffix("</p>\n").replace("&lt;", "<").replace("&gt;", ">")
    shown = shown.replace("&quot;", '"').replace("&amp;", "&")
    assert shown == text
