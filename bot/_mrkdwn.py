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
    return _FORMATTING.sub(WORD_JOINER + r"\1" + WORD_JOINER, escape(text).translate(_PLAIN))
