"""The stop words the search pages refuse (kei_community.core.stopwords) are words PostgreSQL's English text
search really leaves out: a query of one of them is empty there, a query of an ordinary word is not."""

from __future__ import annotations

import pytest
from django.db import connection

from kei_community.core.stopwords import ENGLISH_STOP_WORDS

pytestmark = pytest.mark.django_db


def _lexemes(text: str, parser: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT numnode({parser}('english', %s))", [text])  # noqa: S608 - parser is ours
        return int(cursor.fetchone()[0])


def test_every_listed_stop_word_is_left_out_by_postgresql():
    assert len(ENGLISH_STOP_WORDS) == 127
    kept = [word for word in sorted(ENGLISH_STOP_WORDS) if _lexemes(word, "websearch_to_tsquery") > 0]
    assert kept == []


def test_ordinary_words_are_kept_by_postgresql():
    for word in ("carry", "dump", "the carry", "4wd"):
        assert _lexemes(word, "websearch_to_tsquery") > 0, word
