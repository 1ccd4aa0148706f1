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
    "1. first\n2) second\n+ plus\nTitle\n===",
    "&lt;b&gt; &amp; entity",
    "> quoted",
    "snake_case_name and _emphasis_ and __strong__",
]


def _render(markdown: str) -> str:
    return markdown_it.MarkdownIt("commonmark").enable("table").enable("strikethrough").render(markdown)


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_text_renders_as_itself(text):
    html = _render(plain(text))
    for tag in (
        "<img",
        "<a ",
        "<h1",
        "<h2",
        "<li",
        "<ol",
        "<ul",
        "<strong",
        "<em",
        "<code",
        "<s>",
        "<del",
        "<blockquote",
        "<table",
    ):
        assert tag not in html, (text, html)
    # the text comes back whole (HTML-escaped by the renderer, line breaks as they were)
    shown = html.removeprefix("<p>").removesuffix("</p>\n").replace("&lt;", "<").replace("&gt;", ">")
    shown = shown.replace("&quot;", '"').replace("&amp;", "&")
    shown = shown.replace("\u2060", "")  # the word joiner is invisible
    assert shown == text


def test_streamlit_directives_and_bare_addresses_are_broken_up():
    assert plain(":red[x] :smile: http://a.example www.a.example a@b.example") == (
        "\\:\u2060red\\[x\\] \\:\u2060smile: http\\:\u2060//a.example "
        "www\u2060\\.a.example a\u2060\\@b.example"
    )


def test_ordinary_punctuation_stays_readable():
    text = "Ready: 3 lines of Profit_Debtor_Invoices, € 1.234,56 (total) at 10:42 - see 'Sync'."
    assert plain(text) == text
