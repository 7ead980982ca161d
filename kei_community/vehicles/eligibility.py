"""Import eligibility: NHTSA 25 years from the month of manufacture, EPA 21 years by calendar year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

NHTSA_YEARS = 25
EPA_YEARS = 21


@dataclass(frozen=True)
class Eligibility:
    applies: bool
    nhtsa_eligible: bool | None
    nhtsa_date: date | None
    days_until: int | None
    epa_eligible: bool | None
    epa_year: int | None
    summary: str
    epa_note: str
    eligible_in: str = ""  # "in 1 year 4 months — April 2043" while not yet eligible (never a count of days)

    def as_dict(self) -> dict:
        return {
            "applies": self.applies,
            "nhtsa_eligible": self.nhtsa_eligible,
            "nhtsa_eligible_on": self.nhtsa_date.isoformat() if self.nhtsa_date else None,
            "days_until_eligible": self.days_until,
            "eligible_in": self.eligible_in,
            "epa_eligible": self.epa_eligible,
            "epa_eligible_year": self.epa_year,
            "summary": self.summary,
            "epa_note": self.epa_note,
        }


def import_eligibility(
    *, year_built: int | None, month_built: int | None, us_market: bool = False, today: date | None = None
) -> Eligibility:
    """25 years counted from the month of manufacture (first day of that month + 25 years).

    Without a month we assume December (the latest possible month) so we never overstate eligibility.
    """
    today = today or date.today()
    if us_market:
        return Eligibility(
            False, None, None, None, None, None,
            "Built for the US market: the 25-year import rule does not apply.", "",
        )  # fmt: skip
    if not year_built:
        return Eligibility(
            True, None, None, None, None, None,
            "Year built unknown: import eligibility cannot be worked out.", "",
        )  # fmt: skip
    month = month_built or 12
    eligible_on = date(year_built + NHTSA_YEARS, month, 1)
    eligible = today >= eligible_on
    days = 0 if eligible else (eligible_on - today).days
    epa_year = year_built + EPA_YEARS
    epa_ok = today.year >= epa_year
    eligible_in = "" if eligible else eligible_in_words(eligible_on, today=today)
    if eligible:
        summary = f"Eligible: at least 25 years old (built {month:02d}/{year_built}), exempt from FMVSS for import."
    else:
        summary = f"Import-eligible {eligible_in}."
    if not month_built:
        summary += " Month built not given; December assumed."
    epa_note = (
        f"EPA: exempt from {epa_year} (21 years by calendar year, original configuration)."
        if not epa_ok
        else "EPA: 21+ calendar years old, exempt in original configuration (form 3520-1, code E)."
    )
    return Eligibility(True, eligible, eligible_on, days, epa_ok, epa_year, summary, epa_note, eligible_in)


def months_until(when: date, *, today: date | None = None) -> int:
    """Calendar months from today's month to `when`'s month (0 when `when` is this month or past)."""
    today = today or date.today()
    return max((when.year - today.year) * 12 + when.month - today.month, 0)


def eligible_in_words(when: date, *, today: date | None = None) -> str:
    """When a truck becomes import-eligible, in years and months, never days: "in 1 year 4 months — April
    2043", "next month — March 2026", "now" once the date is reached. The one wording of the countdown
    (eligibility summaries, the `eligible_in` template filter, the API)."""
    today = today or date.today()
    if when <= today:
        return "now"
    months = months_until(when, today=today)
    label = f"{when:%B} {when.year}"
    if months <= 1:
        return f"next month — {label}"
    years, rest = divmod(months, 12)
    parts = [f"{years} year{'s' if years != 1 else ''}"] if years else []
    if rest:
        parts.append(f"{rest} month{'s' if rest != 1 else ''}")
    return f"in {' '.join(parts)} — {label}"


TOO_NEW_WARNING = "Too new to have been imported legally under the 25-year rule — ask for import papers."


def too_new_for_the_us(
    *, year_built: int | None, month_built: int | None, us_market: bool, in_us: bool, today: date | None = None
) -> bool:
    """A truck not built for the US market, said to be in the US (or at a US port), that is not yet 25 years
    old from its month of manufacture (December when the month is not given) could not have been imported
    legally under NHTSA's 25-year rule."""
    if us_market or not in_us or not year_built or not 1 <= int(year_built) <= 9000:
        return False
    if month_built is not None and not 1 <= int(month_built) <= 12:
        month_built = None  # a form's bad value, refused by its own validation: December, as when not given
    return import_eligibility(year_built=year_built, month_built=month_built, today=today).nhtsa_eligible is False


def import_warning(
    *, year_built: int | None, month_built: int | None, us_market: bool, in_us: bool, today: date | None = None
) -> str:
    """TOO_NEW_WARNING for a truck too_new_for_the_us, else ""."""
    flagged = too_new_for_the_us(
        year_built=year_built, month_built=month_built, us_market=us_market, in_us=in_us, today=today
    )
    return TOO_NEW_WARNING if flagged else ""
