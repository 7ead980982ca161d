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

    def as_dict(self) -> dict:
        return {
            "applies": self.applies,
            "nhtsa_eligible": self.nhtsa_eligible,
            "nhtsa_eligible_on": self.nhtsa_date.isoformat() if self.nhtsa_date else None,
            "days_until_eligible": self.days_until,
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
    if eligible:
        summary = f"Eligible: at least 25 years old (built {month:02d}/{year_built}), exempt from FMVSS for import."
    else:
        summary = f"Import-eligible on {eligible_on:%B} {eligible_on.year} ({days} days from now)."
    if not month_built:
        summary += " Month built not given; December assumed."
    epa_note = (
        f"EPA: exempt from {epa_year} (21 years by calendar year, original configuration)."
        if not epa_ok
        else "EPA: 21+ calendar years old, exempt in original configuration (form 3520-1, code E)."
    )
    return Eligibility(True, eligible, eligible_on, days, epa_ok, epa_year, summary, epa_note)
