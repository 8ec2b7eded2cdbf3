"""Text from outside (the sheet, a command) put into Slack's mrkdwn as data, never as markup."""

from __future__ import annotations

import re

WORD_JOINER = "\u2060"
_FORMATTING = re.compile(r"([_*~`])")
#: line breaks, tabs and other control characters become spaces; bidi overrides and isolates are dropped
_PLAIN: dict[int, str | None] = {
    **dict.fromkeys([*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029], " "),  # Unicode's Cc, and line/paragraph
    **dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)]),
}


def escape(text: str) -> str:
    """Text from the sheet (a cell, a tab name, an error that quotes them) as data, never markup:
    ``&``, ``<`` and ``>`` escaped as Slack's formatting guide says, so ``<!channel>`` pings nobody
    and ``<https://evil.example|click here>`` is not a disguised link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


#: Slack's own markup in what it sends: a mention, a channel, a link (no "<" inside: linear time, as in _setup)
_MARKUP = re.compile(r"(<[^<>]*>)")
#: an environment variable's name in nrr's own words: GOOGLE_APPLICATION_CREDENTIALS, or `STRIPE_API_KEY` in code
_NAME = re.compile(r"(`?)\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b\1")


def unescape(text: str) -> str:
    """Text as Slack sends it (a slash command's) as it was typed: Slack escapes ``&``, ``<`` and ``>`` as
    ``&amp;``, ``&lt;`` and ``&gt;``, which are read back outside its own ``<...>`` markup (``<#C123|revenue>``,
    ``<https://...|label>``, ``<@U123>``); the markup is left as sent, so a mention or a link is still one.

    >>> unescape("plan=R&amp;D a&lt;b <#C123|r&amp;d> &amp;lt;")
    'plan=R&D a<b <#C123|r&amp;d> &lt;'
    """
    parts = _MARKUP.split(text)  # text, markup, text, markup, ..., text
    return "".join(part if i % 2 else part.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
                   for i, part in enumerate(parts))


def one_line(text: str) -> str:
    """Sheet text for a ``plain_text`` field (a header), where Slack reads no markup but a line break or a bidi
    override still acts: control characters as spaces, overrides and isolates dropped (as ``plain`` does)."""
    return text.translate(_PLAIN)


def plain(text: str) -> str:
    """Text from the sheet shown as it is written wherever Slack reads mrkdwn: escaped (``escape``), each
    ``_ * ~ ``` held apart by word joiners (U+2060, invisible) so ``_it_`` is not italics and ``*bold*`` not
    bold, newlines, tabs and other control characters as spaces so a name stays on its line, and bidi
    overrides and isolates (U+202A-202E, U+2066-2069) dropped so no cell reorders the line around it.

    Our own messages keep their markup (``escape`` alone): only what the sheet or a person wrote goes
    through here.

    >>> plain("_it_ *bold*") == "\u2060_\u2060it\u2060_\u2060 \u2060*\u2060bold\u2060*\u2060"
    True
    >>> plain("Acme\\nCorp \u202eevil <!channel>")
    'Acme Corp evil &lt;!channel&gt;'
    """
    return _FORMATTING.sub(WORD_JOINER + r"\1" + WORD_JOINER, escape(one_line(text)))


def plain_with_names(text: str) -> str:
    """nrr's own message, which may quote the sheet or the command, as ``plain`` text, except the names of
    environment variables, put in code: ``plain`` holds their underscores apart with word joiners, which a shell
    takes with the name copied from Slack, and nothing is formatted in code.

    >>> plain_with_names("set GOOGLE_APPLICATION_CREDENTIALS or `STRIPE_API_KEY`, not _it_")
    'set `GOOGLE_APPLICATION_CREDENTIALS` or `STRIPE_API_KEY`, not \u2060_\u2060it\u2060_\u2060'
    """
    shown, at = [], 0
    for name in _NAME.finditer(text):
        shown += [plain(text[at:name.start()]), f"`{name[2]}`"]
        at = name.end()
    return "".join(shown) + plain(text[at:])
