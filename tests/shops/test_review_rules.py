"""When a submission to the city is due for review: REVIEW_REMINDER_WORKING_DAYS working days
after it came in, counted with the SKB 3 Menteri calendar (weekends, libur nasional and cuti
bersama do not count). Pure rules, run by `make mutate`."""

from __future__ import annotations

from datetime import date

import pytest

from marketplace.shops import rules


@pytest.mark.parametrize(
    "submitted, due",
    [
        (date(2026, 9, 7), date(2026, 9, 10)),  # Monday → Thursday: an ordinary week
        (date(2026, 9, 11), date(2026, 9, 16)),  # Friday → Wednesday over the weekend
        (date(2026, 3, 17), date(2026, 3, 27)),  # Nyepi and Lebaran 2026
        (date(2026, 12, 23), date(2026, 12, 30)),  # cuti bersama 24 Dec, Natal 25 Dec
    ],
)
def test_a_review_is_due_three_working_days_after_it_came_in(submitted, due):
    assert rules.review_due(submitted, 3) == due
    assert rules.review_overdue(submitted, due, 3)
    assert rules.review_overdue(submitted, date.fromordinal(due.toordinal() + 1), 3)
    assert not rules.review_overdue(submitted, date.fromordinal(due.toordinal() - 1), 3)


def test_the_number_of_working_days_counts():
    monday = date(2026, 9, 7)
    assert rules.review_due(monday, 1) == date(2026, 9, 8)
    assert rules.review_due(monday, 5) == date(2026, 9, 14)
    assert not rules.review_overdue(monday, date(2026, 9, 10), 4)
