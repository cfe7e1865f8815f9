"""`flask send-mandate-reminders`: once per user per period, only the non-compliant, only near the end."""

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.mandate.models import MandateReminder
from marketplace.notifications.models import Notification
from tests.factories import make_civil_servant, make_user
from tests.mandate.helpers import make_spending, refund_spending, set_rule, wib

CMD = "send-mandate-reminders"


@pytest.fixture
def people(app):
    set_rule("2026-05", 100_000, {"Camat": 2_000_000})
    behind = make_civil_servant(position="Camat", name="Budi Kurang")
    done = make_civil_servant(name="Ani Lunas")
    english = make_civil_servant(name="Eka English", locale="en")
    public = make_user("public")
    make_spending(behind, 500_000, wib(2026, 5, 3))
    done_sale = make_spending(done, 100_000, wib(2026, 5, 3))
    make_spending(public, 10_000, wib(2026, 5, 3))
    db.session.commit()
    return {
        "behind": behind,
        "done": done,
        "english": english,
        "public": public,
        "done_sale": done_sale,
    }


def _notes(user=None):
    stmt = select(Notification).where(Notification.kind == "mandate_reminder")
    if user is not None:
        stmt = stmt.where(Notification.user_id == user.id)
    return db.session.scalars(stmt.order_by(Notification.id)).all()


def test_reminders_go_once_to_each_civil_servant_not_yet_compliant(people, runner):
    result = runner.invoke(args=[CMD, "--period", "2026-05", "--today", "2026-05-28"])
    assert result.exit_code == 0, result.output
    assert "2 pengingat terkirim" in result.output
    assert "1 dari 3 ASN sudah memenuhi" in result.output
    assert {n.user_id for n in _notes()} == {people["behind"].id, people["english"].id}
    note = _notes(people["behind"])[0]
    assert note.url == "/mandate"
    assert "Rp500.000" in note.body and "Rp2.000.000" in note.body and "Rp1.500.000" in note.body

    again = runner.invoke(args=[CMD, "--period", "2026-05", "--today", "2026-05-30"])
    assert again.exit_code == 0, again.output
    assert "0 pengingat terkirim; 2 sudah diingatkan sebelumnya" in again.output
    assert len(_notes()) == 2
    assert db.session.scalar(select(func.count()).select_from(MandateReminder)) == 2


def test_a_compliant_civil_servant_and_the_public_get_no_reminder(people, runner):
    runner.invoke(args=[CMD, "--period", "2026-05", "--today", "2026-05-31"])
    assert _notes(people["done"]) == [] and _notes(people["public"]) == []


def test_outside_the_window_nothing_is_sent_and_the_command_says_so(people, runner):
    result = runner.invoke(args=[CMD, "--period", "2026-05", "--today", "2026-05-10"])
    assert result.exit_code == 0
    assert (
        "di luar jendela pengingat" in result.output and "Tidak ada yang dikirim" in result.output
    )
    assert _notes() == []
    assert db.session.scalar(select(func.count()).select_from(MandateReminder)) == 0


def test_a_period_that_is_over_gets_no_reminders(people, runner):
    result = runner.invoke(args=[CMD, "--period", "2026-05", "--today", "2026-06-01"])
    assert "0 hari tersisa" in result.output and _notes() == []


def test_the_days_option_widens_the_window(people, runner):
    result = runner.invoke(
        args=[CMD, "--period", "2026-05", "--today", "2026-05-10", "--days", "25"]
    )
    assert "2 pengingat terkirim" in result.output
    assert len(_notes()) == 2


def test_the_window_defaults_to_the_configured_days(people, runner, app):
    app.config["MANDATE_REMINDER_DAYS"] = 2
    assert "di luar jendela" in runner.invoke(args=[CMD, "--today", "2026-05-28"]).output
    assert "2 pengingat terkirim" in runner.invoke(args=[CMD, "--today", "2026-05-30"]).output


def test_someone_who_falls_behind_later_is_reminded_but_nobody_twice(people, runner):
    runner.invoke(args=[CMD, "--period", "2026-05", "--today", "2026-05-28"])
    refund_spending(people["done_sale"], 60_000)  # a refund makes Ani fall behind
    db.session.commit()
    result = runner.invoke(args=[CMD, "--period", "2026-05", "--today", "2026-05-29"])
    assert "1 pengingat terkirim; 2 sudah diingatkan sebelumnya" in result.output
    assert len(_notes(people["done"])) == 1 and len(_notes(people["behind"])) == 1


def test_the_reminder_is_in_the_civil_servants_language(people, runner):
    runner.invoke(args=[CMD, "--period", "2026-05", "--today", "2026-05-28"])
    assert _notes(people["behind"])[0].title == "Pengingat kewajiban belanja 2026-05"
    english = _notes(people["english"])[0]
    assert english.title == "Mandatory purchase reminder for 2026-05"
    assert "Rp100.000" in english.body and "days" in english.body


@pytest.mark.parametrize(
    "args", [["--period", "2026-13"], ["--today", "28-05-2026"], ["--days", "-1"]]
)
def test_bad_options_are_usage_errors_that_send_nothing(people, runner, args):
    result = runner.invoke(args=[CMD, *args])
    assert result.exit_code == 2
    assert _notes() == []
