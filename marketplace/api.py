"""The API plumbing every area uses: the `endpoint` decorator, authentication, pagination and
the OpenAPI 3 document generated from the marshmallow schemas.

A route declares what it takes and returns; the decorator checks the caller's role, parses the
query and body with the schemas (400 malformed, 422 invalid), calls the view with `args`/`data`
and dumps the answer. The same declarations feed `/api/v1/openapi.json`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import wraps
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Response, current_app, g, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_login import current_user
from marshmallow import EXCLUDE, RAISE, Schema, fields, pre_load, validate
from marshmallow import ValidationError as MarshmallowValidationError
from sqlalchemy import func, select

from marketplace import primitives, text
from marketplace.errors import (
    BadRequest,
    Forbidden,
    PayloadTooLarge,
    Unauthenticated,
    ValidationFailed,
)
from marketplace.extensions import db
from marketplace.timeutil import MAX_YEAR, MIN_YEAR, in_year_range, is_period, iso_utc

API_PREFIX = "/api/v1"
# A JSON body larger than this answers 413, one nested deeper 400: no request of this API comes
# near either, and a parser recurses once per level (10 000 nested arrays exhausted the stack).
JSON_MAX_BYTES = 1024 * 1024
JSON_MAX_DEPTH = 32
_REGISTRY: list[dict[str, Any]] = []


# ---------------------------------------------------------------- schemas shared by all areas
class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict()


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody, required=True)


class UtcDateTime(fields.DateTime):
    """A timestamp field for every API schema: dumps ISO 8601 in UTC with the offset
    (`…+00:00`), taking the database's naive values as UTC, so clients never guess the zone
    (SPEC §3). Loads like `fields.DateTime`. OpenAPI: `type: string, format: date-time`.

    Plain `fields.DateTime` would write naive values with no zone; a test keeps it out of every
    schema. Calendar days stay `fields.Date` (`YYYY-MM-DD`)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return iso_utc(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    return DefaultJSONProvider.default(value)


class ApiJSONProvider(DefaultJSONProvider):
    """Flask's JSON with SPEC §3's timestamps: a datetime left in a hand-built answer (a dict a
    view returns without a schema, an audit entry's before/after) is written as `UtcDateTime`
    writes it, and a date as `YYYY-MM-DD` — not Flask's default RFC 822 text with no offset."""

    default = staticmethod(_json_default)


# Request messages in plain Indonesian (a page translates them per field).
REQUIRED = {"required": "Wajib diisi.", "null": "Wajib diisi."}


# What a Text field accepts, as an OpenAPI (ECMA-262) pattern: no control character, and in a
# multi-line field tab, line feed and carriage return besides.
LINE_TEXT = r"^[^\u0000-\u001f\u007f-\u009f]*$"
MULTILINE_TEXT = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"


class Text(fields.String):
    """A string with no control character (`text.first_control`): a vertical tab or NUL in a
    stored name once broke every XLSX download of its month. Tab, newline and CR are allowed
    only when `multiline` (a description, an address typed in a textarea)."""

    def __init__(self, *, multiline: bool = False, **kw):
        super().__init__(**kw)
        self.multiline = multiline
        if not any(isinstance(v, validate.Regexp) for v in self.validators):
            # The OpenAPI document says so, and a client (or a fuzzer) sends valid text.
            self.metadata = {**self.metadata, "pattern": MULTILINE_TEXT if multiline else LINE_TEXT}

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        bad = text.first_control(value, multiline=self.multiline)
        if bad is not None:
            raise MarshmallowValidationError(text.control_message(bad))
        return value


def text_field(
    max_len: int, *, required: bool = True, multiline: bool = False, name: bool = False, **kw
) -> fields.String:
    """A string of at most `max_len` characters, not blank when required, with no control
    character (tab, newline and CR allowed when `multiline`); when `name`, a person's or a
    shop's name, refused with look-alike letters or invisible characters (`refuse_lookalike_name`)."""
    length = validate.Length(
        min=1 if required else 0, max=max_len, error="Panjang harus {min}–{max} karakter."
    )
    return Text(
        multiline=multiline,
        required=required,
        error_messages=REQUIRED,
        validate=[length, refuse_lookalike_name] if name else length,
        **kw,
    )


class NpwpField(Text):
    """An NPWP as typed (15 digits dotted or bare, or 16 digits) → its stored 16 digits
    (`primitives.parse_npwp`); blank → None; anything else 422 in Indonesian."""

    def __init__(self, **kw):
        kw.setdefault("allow_none", True)
        super().__init__(**kw)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return primitives.parse_npwp(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as err:
            raise MarshmallowValidationError(str(err)) from None


class PhoneField(Text):
    """An Indonesian phone number as typed → E.164 (`primitives.parse_phone`); blank → None;
    anything else 422 in Indonesian."""

    def __init__(self, **kw):
        kw.setdefault("allow_none", True)
        super().__init__(**kw)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return primitives.parse_phone(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as err:
            raise MarshmallowValidationError(str(err)) from None


def refuse_lookalike_name(value: str) -> None:
    """Validator of a person's or a shop's name: an invisible character, or letters of two
    scripts that make it look like another name (`text.name_problem`), answer 422."""
    problem = text.name_problem(value)
    if problem is not None:
        raise MarshmallowValidationError(problem)


PERIOD_MESSAGE = (
    f"Periode harus berformat YYYY-MM dari {MIN_YEAR}-01 sampai {MAX_YEAR}-12, misalnya 2026-05."
)
DATE_MESSAGE = f"Tanggal harus berformat YYYY-MM-DD, tahun {MIN_YEAR} sampai {MAX_YEAR}."


class PeriodField(fields.String):
    """A local month `YYYY-MM` (surrounding spaces trimmed) with a year from MIN_YEAR to MAX_YEAR
    (`timeutil.is_period`): `0000-01` or `9999-12` have no UTC bounds and once answered 500."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip()
        if not is_period(value):
            raise MarshmallowValidationError(PERIOD_MESSAGE)
        return value


class DateField(fields.Date):
    """A calendar day `YYYY-MM-DD` in MIN_YEAR..MAX_YEAR: a report's range, never 0001-01-01,
    whose local midnight has no UTC instant."""

    def __init__(self, **kw):
        kw.setdefault("error_messages", {})
        kw["error_messages"] = {"invalid": DATE_MESSAGE, **kw["error_messages"]}
        super().__init__(**kw)

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if not in_year_range(day.year):
            raise MarshmallowValidationError(DATE_MESSAGE)
        return day


class StrippedSchema(Schema):
    """Trims surrounding whitespace from every string value before validating."""

    @pre_load
    def _strip(self, data, **_kw):
        if not isinstance(data, dict):
            return data
        return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}


class PageQuery(Schema):
    """`?page=1&per_page=20`; per_page above 100 is clamped to 100."""

    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1))


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int
    extra: dict[str, Any] = field(default_factory=dict)


def page_args(args: dict[str, Any]) -> tuple[int, int]:
    return args.get("page", 1), min(args.get("per_page", 20), 100)


def paginate(
    stmt, page: int = 1, per_page: int = 20, *, scalars: bool = True, count_stmt=None
) -> Page:
    """Run `stmt` for one page and count the whole result (or `count_stmt`: the same rows without
    the joins that only serve the ordering, which the count would otherwise compute for nothing)."""
    per_page = min(per_page, 100)
    counted = (stmt if count_stmt is None else count_stmt).order_by(None)
    total = db.session.scalar(select(func.count()).select_from(counted.subquery()))
    paged = stmt.limit(per_page).offset((page - 1) * per_page)
    rows = db.session.scalars(paged).all() if scalars else db.session.execute(paged).all()
    return Page(items=list(rows), page=page, per_page=per_page, total=total or 0)


# ---------------------------------------------------------------- authentication helpers
def api_user():
    """The caller (bearer token or session), or raise 401."""
    if not current_user.is_authenticated:
        raise Unauthenticated()
    return current_user._get_current_object()


def require_role(*roles: str):
    user = api_user()
    if roles and user.role not in roles:
        raise Forbidden(f"This needs one of the roles: {', '.join(roles)}.")
    return user


def refuse_controls(data: Any) -> None:
    """422 naming each value (or key) holding a control character other than tab, newline and
    CR: no field of this API takes one. Single-line fields refuse those three too (`Text`)."""
    found = text.controls_in(data)
    if found:
        raise ValidationFailed(
            details={path: [text.control_message(char)] for path, char in found.items()}
        )


def _load(schema: Schema, data: Any, unknown) -> Any:
    refuse_controls(data)
    try:
        return schema.load(data, unknown=unknown)
    except MarshmallowValidationError as err:
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        raise ValidationFailed(details=messages) from None


_NO_BODY = object()


def parse_json_body() -> Any:
    """The request body as JSON, parsed once per request, with the limits every body keeps:
    413 above JSON_MAX_BYTES; 400 when it is not UTF-8 JSON, nests deeper than JSON_MAX_DEPTH
    (measured before parsing: the parser recurses) or holds a lone UTF-16 surrogate
    (`"\\ud800"`: no character, and no UTF-8 text can store it). None for an empty body."""
    cached = g.get("_peken_json_body", _NO_BODY)
    if cached is not _NO_BODY:
        return cached
    if (request.content_length or 0) > JSON_MAX_BYTES:
        raise PayloadTooLarge()
    raw = request.get_data(cache=True)
    if len(raw) > JSON_MAX_BYTES:
        raise PayloadTooLarge()
    data = None
    if raw:
        try:
            body = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadRequest("The request body must be UTF-8 JSON.") from None
        if text.json_depth(body) > JSON_MAX_DEPTH:
            raise BadRequest(f"The JSON body nests deeper than {JSON_MAX_DEPTH} levels.")
        try:
            data = current_app.json.loads(body)
        except (ValueError, RecursionError):
            raise BadRequest("The request body is not valid JSON.") from None
        if text.any_surrogate(data):
            raise BadRequest("The JSON body holds an invalid Unicode escape (a lone surrogate).")
    g._peken_json_body = data
    return data


def json_body() -> dict[str, Any]:
    """The request's JSON object; 400 if it is not one. An empty body counts as `{}`."""
    data = parse_json_body()
    if not request.get_data(cache=True):
        return {}
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.")
    return data


def _instance(schema):
    if schema is None:
        return None
    return schema() if isinstance(schema, type) else schema


def endpoint(
    bp: Blueprint,
    rule: str,
    method: str = "GET",
    *,
    summary: str,
    roles: Iterable[str] | None = None,
    public: bool = False,
    query: type[Schema] | Schema | None = None,
    body: type[Schema] | Schema | None = None,
    multipart: dict[str, str] | None = None,
    response: type[Schema] | Schema | None = None,
    status: int = 200,
    paginated: bool = False,
    many: bool = False,
    errors: Iterable[int] = (),
    tag: str | None = None,
    description: str | None = None,
    produces: Iterable[str] = (),
):
    """Register `rule` (relative to /api/v1) on `bp` and describe it in the OpenAPI document.

    The view gets `args=` (parsed query) when `query` is given and `data=` (parsed body) when
    `body` is given, plus its URL parameters. It returns a model/dict (dumped with `response`),
    a `Page` (when `paginated`), a `(value, status)` pair or a ready `Response`.
    """
    roles = tuple(roles or ())
    query_schema, body_schema, response_schema = (
        _instance(query),
        _instance(body),
        _instance(response),
    )
    full_rule = API_PREFIX + rule

    def decorator(fn: Callable):
        @wraps(fn)
        def view(**view_args):
            if not public:
                require_role(*roles)
            kwargs = dict(view_args)
            if query_schema is not None:
                kwargs["args"] = _load(query_schema, request.args.to_dict(), EXCLUDE)
            if body_schema is not None:
                kwargs["data"] = _load(body_schema, json_body(), RAISE)
            result = fn(**kwargs)
            if isinstance(result, Response):
                return result
            code = status
            if isinstance(result, tuple):
                result, code = result
            if isinstance(result, Page):
                dumped = {
                    "items": response_schema.dump(result.items, many=True)
                    if response_schema
                    else result.items,
                    "page": result.page,
                    "per_page": result.per_page,
                    "total": result.total,
                    **result.extra,
                }
                return jsonify(dumped), code
            if response_schema is not None and result is not None:
                result = response_schema.dump(result, many=many)
            return jsonify(result), code

        bp.add_url_rule(full_rule, endpoint=f"api_{fn.__name__}", view_func=view, methods=[method])
        _REGISTRY.append(
            {
                "rule": full_rule,
                "method": method.lower(),
                "summary": summary,
                "description": description or fn.__doc__,
                "roles": roles,
                "public": public,
                "query": query_schema,
                "body": body_schema,
                "multipart": multipart,
                "response": response_schema,
                "status": status,
                "paginated": paginated,
                "many": many,
                "errors": tuple(errors),
                "tag": tag or bp.name,
                "produces": tuple(produces),
            }
        )
        return view

    return decorator


# ---------------------------------------------------------------- OpenAPI document
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")

# OpenAPI links of the main flows: how one answer feeds the next call (a client, or the
# stateful phase of tests/robustness/test_api_fuzz.py, follows them). Each is (source
# "METHOD rule", its status, link name, target "METHOD rule", target parameters, fields of the
# target's body); values are runtime expressions or constants.
LINKS: list[tuple[str, int, str, str, dict[str, str], dict[str, Any]]] = [
    (
        "GET /categories",
        200,
        "CreateProductInCategory",
        "POST /vendor/products",
        {},
        {"category": "$response.body#/0/slug", "is_active": True},
    ),
    *(
        ("POST /vendor/products", 201, name, target, {"product_id": "$response.body#/id"}, body)
        for name, target, body in (
            ("GetOwnProduct", "GET /vendor/products/<int:product_id>", {}),
            ("ChangeOwnProduct", "PATCH /vendor/products/<int:product_id>", {}),
            ("PutInCart", "PUT /cart/items/<int:product_id>", {"quantity": 1}),
        )
    ),
    (
        "PUT /cart/items/<int:product_id>",
        200,
        "CheckOut",
        "POST /checkout",
        {},
        {"payment_method": "sandbox", "fulfilment": "pickup", "address": "Jl. Kenjeran 10"},
    ),
    *(
        ("POST /checkout", 201, name, target, {key: f"$response.body#/{path}"}, body)
        for name, target, key, path, body in (
            ("GetOrder", "GET /orders/<int:order_id>", "order_id", "orders/0/id", {}),
            (
                "AcceptOrder",
                "POST /vendor/orders/<int:order_id>/accept",
                "order_id",
                "orders/0/id",
                {},
            ),
            (
                "PayInSandbox",
                "POST /payments/<int:payment_id>/sandbox-confirm",
                "payment_id",
                "payment/id",
                {"outcome": "succeeded"},
            ),
        )
    ),
    (
        "POST /payments/<int:payment_id>/sandbox-confirm",
        200,
        "AcceptPaidOrder",
        "POST /vendor/orders/<int:order_id>/accept",
        {"order_id": "$response.body#/order_ids/0"},
        {},
    ),
    *(
        (source, 200, name, target, {"order_id": "$response.body#/id"}, body)
        for source, name, target, body in (
            (
                "POST /vendor/orders/<int:order_id>/accept",
                "MarkReady",
                "POST /vendor/orders/<int:order_id>/ready",
                {},
            ),
            (
                "POST /vendor/orders/<int:order_id>/ready",
                "ConfirmReceipt",
                "POST /orders/<int:order_id>/confirm-receipt",
                {},
            ),
            (
                "POST /orders/<int:order_id>/confirm-receipt",
                "RefundPart",
                "POST /orders/<int:order_id>/refunds",
                {"amount": 1, "reason": "Barang rusak"},
            ),
        )
    ),
    (
        "POST /vendor-applications",
        201,
        "VerifyShop",
        "POST /admin/vendors/<int:vendor_id>/verify",
        {"vendor_id": "$response.body#/id"},
        {},
    ),
]


def _operation_ref(operation: str) -> str:
    """`#/paths/~1api~1v1~1orders~1{order_id}/get` for "GET /orders/<int:order_id>"."""
    method, rule = operation.split(" ", 1)
    path = _PARAM.sub(r"{\2}", API_PREFIX + rule).replace("~", "~0").replace("/", "~1")
    return f"#/paths/{path}/{method.lower()}"


def _links_from(method: str, rule: str) -> dict[str, dict[str, Any]]:
    """{status: {link name: OpenAPI link}} of the operation `method rule`."""
    found: dict[str, dict[str, Any]] = {}
    for source, status, name, target, parameters, body in LINKS:
        if source == f"{method.upper()} {rule[len(API_PREFIX) :]}":
            link: dict[str, Any] = {"operationRef": _operation_ref(target)}
            if parameters:
                link["parameters"] = parameters
            if body:
                link["requestBody"] = body
            found.setdefault(str(status), {})[name] = link
    return found


def _schema_ref(schema: Schema) -> Any:
    return schema


def build_openapi() -> dict[str, Any]:
    spec = APISpec(
        title="Peken marketplace API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "City-run local marketplace (e-Peken model). Money is integer rupiah."
        },
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": "session"}
    )
    spec.components.schema("Error", schema=ErrorSchema)
    paths: dict[str, dict[str, Any]] = {}
    for item in _REGISTRY:
        path = _PARAM.sub(r"{\2}", item["rule"])
        op: dict[str, Any] = {"summary": item["summary"], "tags": [item["tag"]]}
        if item["description"]:
            op["description"] = item["description"].strip()
        if item["roles"]:
            op["description"] = (
                op.get("description", "") + f"\n\nRoles: {', '.join(item['roles'])}."
            ).strip()
        params: list[dict[str, Any]] = []
        for conv, name in _PARAM.findall(item["rule"]):
            params.append(
                {
                    "in": "path",
                    "name": name,
                    "required": True,
                    "schema": {"type": "integer" if conv == "int" else "string"},
                }
            )
        if item["query"] is not None:
            params.append({"in": "query", "schema": item["query"]})
        if params:
            op["parameters"] = params
        if item["body"] is not None:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": item["body"]}},
            }
        elif item["multipart"]:
            op["requestBody"] = {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                k: (
                                    {"type": "string", "format": "binary"}
                                    if v == "file"
                                    else {"type": v}
                                )
                                for k, v in item["multipart"].items()
                            },
                        }
                    }
                },
            }
        content: dict[str, Any] = {}
        if item["response"] is not None:
            schema: Any = item["response"]
            if item["paginated"]:
                schema = {
                    "type": "object",
                    "properties": {
                        "items": {"type": "array", "items": item["response"]},
                        "page": {"type": "integer"},
                        "per_page": {"type": "integer"},
                        "total": {"type": "integer"},
                    },
                }
            elif item["many"]:
                schema = {"type": "array", "items": item["response"]}
            content["application/json"] = {"schema": schema}
        else:
            content["application/json"] = {"schema": {"type": "object"}}
        for mime in item["produces"]:
            content[mime] = {"schema": {"type": "string", "format": "binary"}}
        responses: dict[str, Any] = {str(item["status"]): {"description": "OK", "content": content}}
        for status, links in _links_from(item["method"], item["rule"]).items():
            responses.setdefault(status, {"description": "OK"})["links"] = links
        err_codes = set(item["errors"]) | ({400, 422} if item["body"] is not None else set())
        if item["query"] is not None:
            err_codes.add(422)
        if not item["public"]:
            err_codes |= {401} | ({403} if item["roles"] else set())
        if _PARAM.search(item["rule"]):
            err_codes.add(404)
        for code in sorted(err_codes):
            responses[str(code)] = {
                "description": "Error",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        op["responses"] = responses
        if not item["public"]:
            op["security"] = [{"bearer": []}, {"session": []}]
        paths.setdefault(path, {})[item["method"]] = op
    for path, ops in sorted(paths.items()):
        spec.path(path=path, operations=ops)
    return spec.to_dict()


docs_bp = Blueprint("docs", __name__)


@docs_bp.get(API_PREFIX + "/openapi.json")
def openapi_json():
    """The OpenAPI 3 document of the whole API."""
    doc = current_app.extensions.get("peken_openapi")
    if doc is None:
        doc = current_app.extensions["peken_openapi"] = build_openapi()
    return jsonify(doc)


@docs_bp.get(API_PREFIX + "/docs")
def openapi_docs():
    """Browsable API docs rendered on the server, so they work with no internet access."""
    doc = current_app.extensions.get("peken_openapi") or build_openapi()
    current_app.extensions["peken_openapi"] = doc
    return render_template("docs/api.html", doc=doc)
