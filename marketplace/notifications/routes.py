"""HTTP routes of the notifications area: the caller's own notifications (API) and the inbox page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from marketplace.api import api_user, endpoint, page_args
from marketplace.notifications import bp, services
from marketplace.notifications.schemas import NotificationQuery, NotificationSchema
from marketplace.pages import page_arg
from marketplace.security import safe_next


# ================================================================= API
@endpoint(
    bp,
    "/notifications",
    summary="My notifications",
    query=NotificationQuery,
    response=NotificationSchema,
    paginated=True,
)
def list_notifications(args):
    """The caller's own notifications, newest first (`?unread=true` for unread only), with
    `unread` (count) next to the page."""
    user = api_user()
    page, per_page = page_args(args)
    result = services.list_notifications(
        user, unread_only=args["unread"], page=page, per_page=per_page
    )
    result.extra["unread"] = services.unread_count(user)
    return result


@endpoint(
    bp,
    "/notifications/<int:notification_id>/read",
    "POST",
    summary="Mark a notification read",
    response=NotificationSchema,
)
def read_notification(notification_id):
    """Mark one of the caller's notifications read; 404 when absent or someone else's."""
    return services.mark_read(api_user(), notification_id)


@endpoint(bp, "/notifications/read-all", "POST", summary="Mark all my notifications read")
def read_all_notifications():
    """Mark every unread notification of the caller read → `{updated}`."""
    return {"updated": services.mark_all_read(api_user())}


# ================================================================= pages
@bp.get("/notifications")
def inbox():
    """The signed-in user's notifications, newest first, unread ones highlighted."""
    user = api_user()
    page = page_arg(request.args)
    unread_only = request.args.get("unread") == "1"
    return render_template(
        "notifications/inbox.html",
        notes=services.list_notifications(user, unread_only=unread_only, page=page),
        unread=services.unread_count(user),
        unread_only=unread_only,
    )


@bp.post("/notifications/<int:notification_id>/read")
def read_page(notification_id: int):
    """Mark one notification read, then open its link (`open=1`) or go back to the inbox."""
    note = services.mark_read(api_user(), notification_id)
    if request.form.get("open") and note.url:
        return redirect(safe_next(note.url, url_for("notifications.inbox")))
    return redirect(safe_next(request.form.get("next"), url_for("notifications.inbox")))


@bp.post("/notifications/read-all")
def read_all_page():
    """Mark every notification read."""
    count = services.mark_all_read(api_user())
    flash(_("%(n)s notifikasi ditandai sudah dibaca.", n=count), "success")
    return redirect(url_for("notifications.inbox"))
