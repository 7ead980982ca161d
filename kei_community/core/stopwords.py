"""The words PostgreSQL's English text search leaves out of a query (its `english.stop`, the Snowball list,
copied here): a search made only of them finds nothing on PostgreSQL, so the search pages say why instead
(marketplace keywords, forum search, the site search). One owner: `too_common`."""

from __future__ import annotations

import re

_ENGLISH_STOP = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers
    herself it its itself they them their theirs themselves what which who whom this that these those am is
    are was were be been being have has had having do does did doing a an the and but if or because as until
    while of at by for with about against between into through during before after above below to from up
    down in out on off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will just don should now
"""
ENGLISH_STOP_WORDS = frozenset(_ENGLISH_STOP.split())

TOO_COMMON = "Every word of “{}” is too common to search for (like “the” or “and”): add a more specific word."

_WORD = re.compile(r"[^\W_]+")


def only_stop_words(text: str) -> bool:
    """True when `text` has words and every one is a stop word ("the", "and or")."""
    words = [word.lower() for word in _WORD.findall(text or "")]
    return bool(words) and all(word in ENGLISH_STOP_WORDS for word in words)


def too_common(text: str) -> str:
    """The message refusing `text` when every word of it is a stop word, else ""."""
    return TOO_COMMON.format(text.strip()[:60]) if only_stop_words(text) else ""
