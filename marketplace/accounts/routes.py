"""HTTP routes of the accounts area: the accounts API and the sign-in, sign-up, profile, admin
home and roster pages (shop applications and their review are in `shops.application_routes`;
the city settings in `city_routes`).
Routes parse, call one service and answer; errors come from the services and are turned into
JSON or a flashed message by the one handler.
"""

from __future__ import annotations

from flask import (
    after_this_request,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from marshmallow import RAISE

from marketplace.accounts import (
    bp,
    city_routes,  # noqa: F401  (its routes join this blueprint: the city settings)
    services,
)
from marketplace.accounts.schemas import (
    ApiTokenSchema,
    ContactSchema,
    HomeAreaSchema,
    ImportResultSchema,
    RegisterSchema,
    TokenRequestSchema,
    TokenSchema,
    UserSchema,
)
from marketplace.api import api_user, endpoint, require_role
from marketplace.areas.services import area_choices
from marketplace.errors import TooManyRequests, ValidationFailed
from marketplace.extensions import limiter
from marketplace.forms import load_form
from marketplace.security import safe_next


# ---------------------------------------------------------------- sign-in limits
# Failed sign-ins per address and email are counted in the database (`accounts.throttle`),
# exactly, whatever the number of workers. This coarser limit counts every sign-in request from
# one address whatever the email (password spraying); it lives in Flask-Limiter's storage:
# per worker with `memory://`, shared by all with RATELIMIT_STORAGE_URI=redis://… (production).
def _address_limit_disabled() -> bool:
    # The limiter object is shared by every app in the process; honour this app's setting.
    return not current_app.config.get("RATELIMIT_ENABLED", True)


address_limit = limiter.shared_limit(
    lambda: current_app.config.get("LOGIN_ADDRESS_LIMIT") or "30 per minute",
    scope="sign-in-address",
    key_func=get_remote_address,
    methods=["POST"],
    exempt_when=_address_limit_disabled,
)


def _start_session(user) -> None:
    """A fresh session for the signed-in user (ASVS 7.2.4), keeping only the language choice."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)


def _home_for(user) -> str:
    if user.role == "admin":
        return url_for("vendor.admin_home")
    return "/"


# ================================================================= API
@endpoint(
    bp,
    "/auth/token",
    "POST",
    summary="Sign in and get a bearer token",
    public=True,
    body=TokenRequestSchema,
    response=TokenSchema,
    errors=[401, 429],
)
@address_limit
def create_token(data):
    """Exchange `login` (an email or an ASN's 18-digit NIP; `email` is still accepted) and
    password for a bearer token; 401 invalid_credentials, 429 after LOGIN_FAILURE_LIMIT failures
    from one address for one login (counted across workers, a NIP as its 18 digits).
    The answer is a credential: `Cache-Control: no-store` keeps it out of every cache."""
    after_this_request(_no_store)
    token, user = services.sign_in_for_token(
        data["login"], data["password"], data.get("name"), address=request.remote_addr
    )
    return {"token": token, "user": user}


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@endpoint(bp, "/auth/token", "DELETE", summary="Revoke the calling token", errors=[400])
def delete_token():
    """Revoke the bearer token this call is made with (log out an API client)."""
    services.revoke_current_token(api_user(), g.get("api_token"))
    return {"revoked": True}


@endpoint(
    bp,
    "/me",
    "PATCH",
    summary="Change my phone number",
    body=ContactSchema,
    response=UserSchema,
)
def update_me(data):
    """The caller's optional phone number (`0812-3456-7890`, `+62…`), stored in E.164; 422 for
    a number that is not a valid Indonesian one; blank or null removes it."""
    return services.update_contact(api_user(), data["phone"])


@endpoint(
    bp,
    "/me/tokens",
    summary="The caller's bearer tokens",
    response=ApiTokenSchema,
    many=True,
)
def list_my_tokens():
    """The caller's own tokens, newest first, with when each was made, last used (to the
    minute) and expires, and whether it is active, revoked or expired. Never the token itself."""
    return services.list_tokens(api_user())


@endpoint(
    bp,
    "/me/tokens/<int:token_id>",
    "DELETE",
    summary="Revoke one of the caller's bearer tokens",
    response=ApiTokenSchema,
    errors=[404],
)
def revoke_my_token(token_id: int):
    """Revoke one of the caller's own tokens (at once); another user's token answers 404."""
    return services.revoke_token(api_user(), token_id)


@endpoint(
    bp,
    "/auth/register",
    "POST",
    summary="Sign up as a member of the public",
    public=True,
    body=RegisterSchema,
    response=UserSchema,
    status=201,
    errors=[409],
)
def register(data):
    """Create a `public` account; 409 email_taken, 422 when the password is too short or common,
    or the home kelurahan (optional) is ambiguous or unknown."""
    return services.register_user(data["email"], data["password"], data["name"], home=data)


@endpoint(bp, "/me", summary="The calling user", response=UserSchema)
def me():
    """The caller's profile; ASN fields (nip, opd, position, kelurahan) and vendor_id are null
    when they do not apply."""
    return api_user()


@endpoint(
    bp,
    "/me/area",
    "PUT",
    summary="Set one's home kelurahan",
    roles=("public",),
    body=HomeAreaSchema,
    response=UserSchema,
)
def set_home_area(data):
    """A public user's home kelurahan for `nearest`: a code, or a name (with its kecamatan when
    the name is not unique in the city); 422 naming the candidates or the closest names."""
    return services.set_home_area(api_user(), data)


@endpoint(
    bp,
    "/admin/civil-servants/import",
    "POST",
    summary="Import the ASN roster (CSV)",
    roles=("admin",),
    multipart={"file": "file"},
    response=ImportResultSchema,
    errors=[413, 422],
)
def import_civil_servants():
    """Upsert civil servants by NIP from CSV `nip,name,email,opd_code,opd_name,position,
    kelurahan`; bad rows are reported by row number (header = 1) and never block good ones."""
    actor = require_role("admin")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed(
            _("Unggah berkas CSV pada kolom `file`."), details={"file": [_("Wajib diunggah.")]}
        )
    return services.import_civil_servants(actor, upload.stream)


# ================================================================= pages: sign-in
@bp.route("/login", methods=["GET", "POST"])
@address_limit
def login_page():
    """The sign-in form; on success a fresh session and a redirect to a safe local `next`."""
    next_url = request.values.get("next", "")
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(safe_next(next_url, _home_for(current_user)))
        return render_template("accounts/login.html", next=next_url, email="")
    # `login` is an email or a NIP; the old field name `email` still works.
    email = request.form.get("login") or request.form.get("email", "")
    try:
        user = services.sign_in(email, request.form.get("password", ""), request.remote_addr)
    except TooManyRequests as err:
        # The form again with the message (not the bare error page), still answered 429.
        flash(err.message, "error")
        return render_template("accounts/login.html", next=next_url, email=email), 429
    if user is None:
        flash(_("Email/NIP atau kata sandi salah."), "error")
        return render_template("accounts/login.html", next=next_url, email=email), 200
    _start_session(user)
    flash(_("Selamat datang, %(name)s.", name=user.name), "success")
    return redirect(safe_next(next_url, _home_for(user)))


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """POST ends the session everywhere (old cookies stop working); GET asks to confirm."""
    if not current_user.is_authenticated:
        return redirect("/")
    if request.method == "GET":
        return render_template("accounts/logout.html")
    services.end_sessions(current_user._get_current_object())
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Anda sudah keluar."), "success")
    return redirect("/")


_REGISTER_LABELS = {
    "email": "Email",
    "name": "Nama",
    "password": "Kata sandi",
    "kelurahan": "Kelurahan",
    "kecamatan": "Kecamatan",
}


@bp.route("/register", methods=["GET", "POST"])
def register_page():
    """Public sign-up form; signs the new user in."""
    if request.method == "GET":
        return render_template("accounts/register.html", area_groups=area_choices())
    form = request.form
    data = load_form(
        RegisterSchema(),
        {k: form.get(k, "") for k in ("email", "name", "password", "kelurahan", "kecamatan")},
        labels={k: _(v) for k, v in _REGISTER_LABELS.items()},
        unknown=RAISE,
    )
    if form.get("password_confirm", "") != data["password"]:
        raise ValidationFailed(_("Konfirmasi kata sandi tidak sama."))
    user = services.register_user(data["email"], data["password"], data["name"], home=data)
    _start_session(user)
    flash(_("Akun Anda sudah dibuat. Selamat berbelanja!"), "success")
    return redirect(safe_next(request.form.get("next"), "/"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@address_limit
def forgot_password_page():
    """Ask for a link to set a password (forgotten, or first time for imported ASN); every
    request counts against the sign-in limit (it sends email): 429 past it."""
    if request.method == "GET":
        return render_template("accounts/password_forgot.html")
    services.request_password_reset(request.form.get("email", ""), address=request.remote_addr)
    flash(_("Jika email itu terdaftar, tautan untuk mengatur kata sandi sudah dikirim."), "success")
    return redirect(url_for("accounts.login_page"))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password_page(token: str):
    """Set a new password from an emailed link; the link works once and for 24 hours."""
    user = services.user_for_reset_token(token)
    if request.method == "GET":
        return render_template("accounts/password_reset.html", user=user, token=token)
    if request.form.get("password", "") != request.form.get("password_confirm", ""):
        raise ValidationFailed(_("Konfirmasi kata sandi tidak sama."))
    user = services.reset_password(token, request.form.get("password", ""))
    flash(_("Kata sandi sudah diatur. Silakan masuk."), "success")
    return redirect(url_for("accounts.login_page"))


# ================================================================= pages: own account
@bp.route("/account")
def account_page():
    """The signed-in user's data, a link to their API tokens and the password change."""
    user = api_user()
    groups = area_choices() if user.role == "public" else []
    return render_template("accounts/account.html", user=user, area_groups=groups)


@bp.post("/account/area")
def home_area_page():
    """A public user sets their home kelurahan (kecamatan first, then its kelurahan)."""
    form = request.form
    data = load_form(
        HomeAreaSchema(),
        {k: form.get(k, "") for k in ("kelurahan", "kecamatan")},
        labels={"kelurahan": _("Kelurahan"), "kecamatan": _("Kecamatan")},
        unknown=RAISE,
    )
    services.set_home_area(api_user(), data)
    flash(_("Kelurahan rumah disimpan."), "success")
    return redirect(url_for("accounts.account_page"))


def _tokens_page(user, new_token: str | None = None) -> str:
    return render_template(
        "accounts/tokens.html",
        user=user,
        tokens=services.list_tokens(user),
        new_token=new_token,
        max_age_days=current_app.config.get("API_TOKEN_MAX_AGE_DAYS", 30),
    )


@bp.get("/account/tokens")
def tokens_page():
    """The signed-in user's API tokens: made, last used, expires, status; create and revoke."""
    return _tokens_page(api_user())


@bp.post("/account/tokens")
def create_token_page():
    """Create an API token and show it once (never cached)."""
    user = api_user()
    name = (request.form.get("name") or "").strip()[:100] or "api"
    token = services.issue_token(user, name)
    flash(_("Token dibuat. Salin sekarang: token ini tidak akan ditampilkan lagi."), "success")
    resp = current_app.make_response(_tokens_page(user, token))
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.post("/account/tokens/<int:token_id>/revoke")
def revoke_token_page(token_id: int):
    """Revoke one of one's own API tokens (another user's answers 404)."""
    services.revoke_token(api_user(), token_id)
    flash(_("Token dicabut."), "success")
    return redirect(url_for("accounts.tokens_page"))


@bp.post("/account/phone")
def change_phone_page():
    """Set or clear one's phone number from the account page (422 flashed when invalid)."""
    user = api_user()
    data = load_form(
        ContactSchema(),
        {"phone": request.form.get("phone", "")},
        labels={"phone": _("Nomor telepon / WhatsApp")},
        unknown=RAISE,
    )
    services.update_contact(user, data["phone"])
    flash(_("Nomor telepon disimpan.") if data["phone"] else _("Nomor telepon dihapus."), "success")
    return redirect(url_for("accounts.account_page"))


@bp.post("/account/password")
def change_password_page():
    """Change one's password; other sessions end, this one continues."""
    user = api_user()
    if request.form.get("new_password", "") != request.form.get("new_password_confirm", ""):
        raise ValidationFailed(_("Konfirmasi kata sandi tidak sama."))
    services.change_password(
        user, request.form.get("current_password", ""), request.form.get("new_password", "")
    )
    _start_session(user)
    flash(_("Kata sandi sudah diganti."), "success")
    return redirect(url_for("accounts.account_page"))


# ================================================================= pages: admin
@bp.route("/admin/civil-servants/import", methods=["GET", "POST"])
def admin_import_page():
    """Upload the ASN roster CSV and see what was created, updated and which rows failed."""
    actor = require_role("admin")
    if request.method == "GET":
        return render_template(
            "accounts/admin_import.html", result=None, columns=services.ROSTER_COLUMNS
        )
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed(_("Pilih berkas CSV terlebih dahulu."))
    result = services.import_civil_servants(actor, upload.stream)
    flash(
        _(
            "Impor selesai: %(c)s dibuat, %(u)s diperbarui, %(e)s baris gagal.",
            c=result.created,
            u=result.updated,
            e=len(result.errors),
        ),
        "success" if not result.errors else "warning",
    )
    return render_template(
        "accounts/admin_import.html",
        result=result,
        columns=services.ROSTER_COLUMNS,
        filename=upload.filename,
    )
