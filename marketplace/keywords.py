"""Keyword search over listings: what a typed `q` matches.

One entry point, `keyword_filter(qs, q)`, used by the search page, the API, saved-search alerts and the site
search, so they all agree.

What is typed is cut into words (letters and digits; any other character separates words, so nothing the
user types reaches PostgreSQL as query syntax). Words that form a phrase of the kei glossary
(marketplace.glossary: "scissor lift", "four wheel drive") are one term; every term must match (AND), and a
term matches any of its synonyms (OR).

PostgreSQL: full text over `Listing.search_vector` (English stemming, GIN index), kept by a trigger from the
listing's text and structured fields (migration 0008): make, model and chassis code (weight A), title (B),
bed type, drive, transmission, colour, city, state name and code, title and location status (C),
description and condition notes (D). A word of 3 or more letters that is not a glossary term also matches
as a prefix ("da63" finds DA63T). A word no listing has that looks like a misspelt make or model
("hijat", "suzki") is corrected by trigram similarity (pg_trgm) to the closest make or model of the
catalog and the glossary.

SQLite (development and the fast tests): the same terms and glossary, crude stemming (plural, -ing, -ed), and
a case-insensitive substring of the text columns, the chassis code, the choice values and labels of bed type,
drive, transmission, title and location status, and the state's name or code. No misspelling correction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from kei_community.core.us import US_STATES
from marketplace import glossary
from marketplace.models import Listing

MAX_WORDS = 6
# Two-letter state codes that are also English stop words: a state only when typed in capitals ("OR").
STOPWORD_STATES = {"IN", "ME", "OR"}
# pg_trgm similarity from which a word no listing has is taken for a misspelt make or model.
CORRECTION_SIMILARITY = 0.3
MIN_PREFIX = 3

_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Term:
    """One thing to find: what was typed, and the phrases it finds."""

    typed: str
    anywhere: tuple[str, ...]  # phrases looked for in every field; `typed` first
    identity: tuple[str, ...] = ()  # make / model names looked for in the make, model and chassis code only
    state: str = ""  # the US state code the word names, or ""
    prefix: bool = False  # `typed` also matches as the start of a word (PostgreSQL)


def crude_stem(word: str) -> str:
    """The word without a plural, -ing or -ed ending ("dumps" -> "dump", "lifted" -> "lift")."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 4 and word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _key(phrase: str) -> tuple[str, ...]:
    return tuple(crude_stem(w) for w in phrase.split())


def _glossary_terms() -> dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...]]]:
    """Glossary phrase (as stemmed words) -> (phrases found anywhere, names found in make/model/code)."""
    found: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for group in glossary.SYNONYMS:
        for phrase in group:
            found[_key(phrase)] = (group, ())
    for phrase, extra in glossary.ALSO_FINDS.items():
        found[_key(phrase)] = ((phrase, *extra), ())
    for make, models in glossary.MODELS.items():
        found[_key(make)] = ((make,), models)
        for model in models:
            found[_key(model)] = ((model,), (make, *(m for m in models if m != model)))
    return found


GLOSSARY_TERMS = _glossary_terms()
LONGEST_PHRASE = max(len(key) for key in GLOSSARY_TERMS)


def _glossary_term(typed: str, key: tuple[str, ...]) -> Term | None:
    if key not in GLOSSARY_TERMS:
        return None
    anywhere, identity = GLOSSARY_TERMS[key]
    return Term(typed=typed, anywhere=tuple(dict.fromkeys((typed, *anywhere))), identity=identity)


def _state_code(word: str) -> str:
    code = word.upper()
    if len(word) != 2 or code not in US_STATES or (code in STOPWORD_STATES and word != code):
        return ""
    return code


def keyword_terms(q: str) -> list[Term]:
    """The terms of `q` (at most MAX_WORDS), glossary phrases joined into one term."""
    raw = _WORD.findall(q or "")
    words = [w.lower() for w in raw]
    stems = [crude_stem(w) for w in words]
    terms: list[Term] = []
    i = 0
    while i < len(words) and len(terms) < MAX_WORDS:
        for n in range(min(LONGEST_PHRASE, len(words) - i), 0, -1):
            term = _glossary_term(" ".join(words[i : i + n]), tuple(stems[i : i + n]))
            if term is not None:
                break
        else:
            n = 1
            word = words[i]
            term = Term(typed=word, anywhere=(word,), state=_state_code(raw[i]), prefix=len(word) >= MIN_PREFIX)
        terms.append(term)
        i += n
    return terms


def keyword_filter(qs: QuerySet[Listing], q: str) -> QuerySet[Listing]:
    """Listings of `qs` that match every term of `q` (a `q` without a letter or digit matches nothing)."""
    terms = keyword_terms(q)
    if not terms:
        return qs.none() if (q or "").strip() else qs
    if connection.vendor == "postgresql":
        # One tsquery, the terms AND'ed: a term that is only a stop word ("in") drops out instead of
        # matching nothing.
        query = None
        for term in _corrected(terms):
            query = _search_query(term) if query is None else query & _search_query(term)
        return qs.filter(search_vector=query)
    for term in terms:
        qs = qs.filter(_substring_q(term))
    return qs


# --- PostgreSQL -------------------------------------------------------------------------------------------


def _lexeme(word: str) -> str:
    """A word as a quoted tsquery operand: only letters and digits ever reach here (keyword_terms)."""
    if not _WORD.fullmatch(word):
        raise ValueError(f"not a word: {word!r}")
    return f"'{word}'"


def _search_query(term: Term) -> Any:
    """The term as a tsquery: its phrases OR'd (a phrase's words adjacent), the make/model names restricted
    to weight A (make, model, chassis code), a state code looked up unstemmed ("simple")."""
    from django.contrib.postgres.search import SearchQuery

    alternatives = []
    for phrase in term.anywhere:
        words = phrase.split()
        if len(words) > 1:
            alternatives.append("(" + " <-> ".join(_lexeme(w) for w in words) + ")")
        else:
            suffix = ":*" if term.prefix and phrase == term.typed else ""
            alternatives.append(_lexeme(words[0]) + suffix)
    alternatives += [f"{_lexeme(name)}:A" for name in term.identity]
    query = SearchQuery(" | ".join(alternatives), config="english", search_type="raw")
    if term.state:
        query = query | SearchQuery(f"{_lexeme(term.state.lower())}:C", config="simple", search_type="raw")
    return query


def _corrected(terms: list[Term]) -> list[Term]:
    """Terms with a misspelt make or model replaced: a plain word of 4+ letters that no listing has, whose
    closest make or model name (pg_trgm similarity >= CORRECTION_SIMILARITY, over the catalog's makes and
    models and the glossary's) is another word. One query, only when there is such a word."""
    suspects = [
        t.typed
        for t in terms
        if t.anywhere == (t.typed,) and not t.identity and not t.state and t.typed.isalpha() and len(t.typed) >= 4
    ]
    if not suspects:
        return terms
    from kei_community.vehicles.models import ChassisCode

    codes = ChassisCode._meta.db_table
    table = Listing._meta.db_table
    sql = f"""
        WITH names AS (
            SELECT lower(make) AS name FROM {codes} UNION SELECT lower(model) FROM {codes}
            UNION SELECT unnest(%s::text[])
        ), best AS (
            SELECT w, (SELECT name FROM names WHERE similarity(w, name) >= %s
                       ORDER BY similarity(w, name) DESC, name LIMIT 1) AS name
            FROM unnest(%s::text[]) AS w
        )
        SELECT w, name FROM best
        WHERE name IS NOT NULL AND name <> w
          AND NOT EXISTS (SELECT 1 FROM {table} WHERE search_vector @@ to_tsquery('english', quote_literal(w) || ':*'))
    """  # noqa: S608 - table names only; the words are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [glossary.names(), CORRECTION_SIMILARITY, suspects])
        fixes = dict(cursor.fetchall())
    if not fixes:
        return terms
    out = []
    for term in terms:
        name = fixes.get(term.typed)
        if name is None or not _WORD.fullmatch(name.replace(" ", "")):
            out.append(term)
            continue
        out.append(_glossary_term(name, _key(name)) or Term(typed=name, anywhere=(name,)))
    return out


def corrections(q: str) -> dict[str, str]:
    """What keyword_filter corrects in `q` on PostgreSQL: {typed word: make or model searched instead}."""
    if connection.vendor != "postgresql":
        return {}
    terms = keyword_terms(q)
    return {
        before.typed: after.typed for before, after in zip(terms, _corrected(terms), strict=True) if before != after
    }


def corrected_query(q: str) -> str:
    """`q` as keyword_filter searches it when it corrected a misspelt make or model ("hijat 4x4" ->
    "hijet 4x4"; the pages say "Showing results for hijet 4x4"), or "" when nothing was corrected."""
    fixes = corrections(q)
    if not fixes:
        return ""
    return " ".join(fixes.get(term.typed, term.typed) for term in keyword_terms(q))


# --- SQLite ---------------------------------------------------------------------------------------------

TEXT_FIELDS = ("title", "description", "condition_notes", "make", "model", "colour", "city", "chassis_code__code")
CHOICE_FIELDS: dict[str, Any] = {
    "bed_type": Listing.BedType,
    "drive": Listing.Drive,
    "transmission": Listing.Transmission,
    "title_status": Listing.TitleStatus,
    "location_status": Listing.LocationStatus,
}


def _substring_q(term: Term) -> Q:
    """The term as substrings (each phrase and its crude stem) of the text columns, and (3 letters or more)
    of the choice values and labels and the state names."""
    found = Q()
    texts = {text for phrase in term.anywhere for text in (phrase, " ".join(_key(phrase)))}
    for text in texts:
        for name in TEXT_FIELDS:
            found |= Q(**{f"{name}__icontains": text})
        if len(text) < MIN_PREFIX:  # a choice label or a state name holds most two-letter strings
            continue
        for name, choices in CHOICE_FIELDS.items():
            values = [v for v, label in choices.choices if text in v.lower() or text in str(label).lower()]
            if values:
                found |= Q(**{f"{name}__in": values})
        states = [code for code, state in US_STATES.items() if text in state.lower()]
        if states:
            found |= Q(state__in=states)
    for name in term.identity:
        found |= Q(make__iexact=name) | Q(model__icontains=name)
    if term.state:
        found |= Q(state=term.state)
    return found
