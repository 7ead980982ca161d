"""The kei glossary of the marketplace's keyword search: the words people type for the same thing.

Data, one owner: marketplace.keywords reads it (PostgreSQL full-text query and the SQLite fallback alike).

- SYNONYMS: groups of words and phrases that mean the same; typing any one finds every other one, in any
  field of a listing (title, description, bed type, drive, ...).
- ALSO_FINDS: one-way: typing the key also finds these (typing "farm" finds off-road / OHV titled trucks,
  the way most farm kei trucks are titled; typing "ohv" does not find the word "farm").
- MODELS: each make and its kei truck / van model names. Typing a model also finds listings of that make
  whose model field is empty or a chassis code, and typing a make finds its models; those extra names
  are looked for in the make, model and chassis-code fields only (so "every" in a description does not
  count as a Suzuki Every).

Phrases are written in lower case, words separated by single spaces; punctuation in what people type is
a separator ("scissor-lift" is "scissor lift").
"""

from __future__ import annotations

SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("4wd", "4x4", "four wheel drive", "4 wheel drive", "awd"),
    ("2wd", "4x2", "two wheel drive", "2 wheel drive"),
    ("dump", "tipper", "dump bed", "dump truck", "tipping bed"),
    ("scissor", "scissor lift", "hydraulic lift", "lift bed"),
    ("jumbo", "extended cab", "jumbo cab", "big cab"),
    ("flatbed", "flat bed", "drop side", "dropside"),
    ("panel van", "van"),
    ("automatic", "auto", "autotrans"),
    ("manual", "stick", "stick shift"),
    ("offroad", "off road", "ohv"),
)

ALSO_FINDS: dict[str, tuple[str, ...]] = {
    "farm": ("ohv", "farm use"),
    "farmer": ("farm", "ohv"),
    "mini truck": ("kei",),
    "minitruck": ("kei",),
}

MODELS: dict[str, tuple[str, ...]] = {
    "suzuki": ("carry", "every"),
    "daihatsu": ("hijet",),
    "honda": ("acty",),
    "subaru": ("sambar",),
    "mitsubishi": ("minicab",),
    "mazda": ("scrum",),
    "nissan": ("clipper", "nt100"),
}


def names() -> list[str]:
    """Every make and model name of the glossary (the trigram fallback corrects misspellings to these)."""
    return sorted({*MODELS, *(model for models in MODELS.values() for model in models)})
