"""Reconciliation with Stripe: compare the provider's balance transactions (an uploaded CSV export
or fetched through the API) with our ledger, keep the result, and post provider fees once.

Stripe's docs (reports/balance-transaction-types) say to group balance transactions by
`reporting_category`, not `type`, and to match each row's `source` (ch_, re_, tr_, po_) to our
records. Our ledger keeps provider ids in `JournalEntry.reference` and on `Payment.provider_ref`
(the PaymentIntent pi_…) and `Refund.provider_ref` (re_…), so a row matches when any id it carries
(source, payment intent, metadata, description) is one of those.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import stripe
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace.accounts.duties import require_money_mover
from marketplace.accounts.models import User
from marketplace.api import Page, paginate
from marketplace.audit.models import record_audit
from marketplace.errors import Conflict, MarketplaceError, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.finance import rules
from marketplace.finance.models import ProviderFeePosting, Reconciliation
from marketplace.ledger.models import PROVIDER_CASH, PROVIDER_FEES, JournalEntry
from marketplace.ledger.services import post_journal
from marketplace.payments.models import Payment, Refund
from marketplace.stripe_client import CURRENCY, from_stripe_amount, get_stripe_client
from marketplace.timeutil import day_start, iso_utc, naive_utc, to_local

PROVIDER_ID_RE = re.compile(r"\b(?:ch|py|pi|re|pyr|tr|trr|po|txn)_[A-Za-z0-9]+\b")
MAX_ITEMS_KEPT = 2000  # per group, so one huge export cannot bloat a row; counts stay exact


class ProviderUnavailable(MarketplaceError):
    status, code, message = 502, "provider_error", "Stripe could not be reached; try again later."


@dataclass
class ProviderRow:
    id: str
    category: str
    type: str
    source: str | None
    amount: int
    fee: int
    net: int
    currency: str
    created: datetime | None  # naive UTC
    description: str = ""
    refs: set[str] = field(default_factory=set)

    @property
    def fee_to_post(self) -> int:
        """The provider's fee on this row; a stand-alone fee row carries it as a negative amount."""
        if self.fee:
            return self.fee
        if self.category == "fee" and self.amount < 0:
            return -self.amount
        return 0


# ---------------------------------------------------------------- reading a CSV export
_HEADER_ALIASES = {
    "id": "id",
    "balance_transaction_id": "id",
    "balance_transaction": "id",
    "type": "type",
    "source": "source",
    "source_id": "source",
    "amount": "amount",
    "gross": "amount",
    "fee": "fee",
    "net": "net",
    "currency": "currency",
    "created": "created",
    "created_utc": "created",
    "created_date": "created",
    "available_on": "available_on",
    "available_on_utc": "available_on",
    "description": "description",
    "reporting_category": "reporting_category",
    "category": "reporting_category",
    "payment_intent": "payment_intent",
    "payment_intent_id": "payment_intent",
    "charge": "charge",
    "charge_id": "charge",
    "refund_id": "refund",
    "transfer": "transfer",
    "transfer_id": "transfer",
    "payout": "payout",
    "payout_id": "payout",
}


def _normalise_header(name: str) -> str:
    key = (name or "").strip().lstrip("\ufeff").lower()
    key = key.replace("(utc)", "utc")
    key = re.sub(r"[^a-z0-9]+", "_", key).strip("_")
    return key


def _parse_created(value: str | None) -> datetime | None:
    text = (value or "").strip()
    if not text:
        return None
    if text.isdigit():
        try:
            return datetime.fromtimestamp(int(text), UTC).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError):  # a Unix time past year 9999
            raise ValueError(f"tanggal tidak dikenal: {value!r}") from None
    text = text.replace("T", " ").rstrip("Z")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        return naive_utc(datetime.fromisoformat(text))
    except (ValueError, OverflowError):  # OverflowError: 0001-01-01T00:00+07:00 has no UTC
        raise ValueError(f"tanggal tidak dikenal: {value!r}") from None


def parse_stripe_csv(content: bytes) -> tuple[list[ProviderRow], list[dict]]:
    """Rows of a Stripe balance-transactions export (amounts in major units) and row errors.

    Headers are matched case-insensitively ("Created (UTC)", "created" and "created_utc" all
    work); unknown columns are ignored except metadata ones, which are searched for provider ids.
    Raises ValidationFailed when the file is not such an export at all.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(
            "Berkas bukan CSV UTF-8.", details={"file": ["Berkas bukan CSV UTF-8."]}
        ) from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise ValidationFailed(
            "Berkas CSV kosong.", details={"file": ["Berkas CSV kosong."]}
        ) from None
    names = [_normalise_header(h) for h in header]
    columns: dict[str, int] = {}
    metadata_cols: list[int] = []
    for index, name in enumerate(names):
        canonical = _HEADER_ALIASES.get(name)
        if canonical and canonical not in columns:
            columns[canonical] = index
        elif "metadata" in name:
            metadata_cols.append(index)
    missing = [c for c in ("id", "amount") if c not in columns]
    if missing or not ({"type", "reporting_category"} & set(columns)):
        need = missing + (
            [] if {"type", "reporting_category"} & set(columns) else ["type/reporting_category"]
        )
        message = "Bukan ekspor transaksi saldo Stripe: kolom " + ", ".join(need) + " tidak ada."
        raise ValidationFailed(message, details={"file": [message]})

    rows: list[ProviderRow] = []
    errors: list[dict] = []
    seen: set[str] = set()
    try:
        for line_no, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue

            def get(col: str, values: list[str] = values) -> str:
                i = columns.get(col)
                return values[i].strip() if i is not None and i < len(values) else ""

            try:
                row = _row_from_values(get, [values[i] for i in metadata_cols if i < len(values)])
            except ValueError as err:
                errors.append({"row": line_no, "message": str(err)})
                continue
            if row.id in seen:
                errors.append(
                    {"row": line_no, "message": f"{row.id} muncul dua kali; baris ini dilewati."}
                )
                continue
            seen.add(row.id)
            rows.append(row)
    except csv.Error as err:
        raise ValidationFailed("CSV rusak.", details={"file": [f"CSV rusak: {err}"]}) from None
    return rows, errors


def _row_from_values(get, metadata: list[str]) -> ProviderRow:
    bt_id = get("id")
    if not bt_id:
        raise ValueError("kolom id kosong")
    currency = (get("currency") or CURRENCY).lower()
    if currency != CURRENCY:
        raise ValueError(f"{bt_id}: mata uang {currency.upper()} bukan IDR")
    try:
        amount = rules.parse_major_amount(get("amount"))
        fee = rules.parse_major_amount(get("fee"))
        net = rules.parse_major_amount(get("net")) if get("net") else amount - fee
    except ValueError as err:
        raise ValueError(f"{bt_id}: jumlah tidak valid ({err})") from None
    created = _parse_created(get("created"))
    type_ = get("type").lower()
    source = get("source") or None
    description = get("description")
    refs = _refs(
        source,
        get("payment_intent"),
        get("charge"),
        get("refund"),
        get("transfer"),
        get("payout"),
        description,
        *metadata,
    )
    return ProviderRow(
        id=bt_id,
        category=rules.provider_category(get("reporting_category"), type_),
        type=type_,
        source=source,
        amount=amount,
        fee=fee,
        net=net,
        currency=currency,
        created=created,
        description=description,
        refs=refs,
    )


def _refs(*values: str | None) -> set[str]:
    refs: set[str] = set()
    for value in values:
        if not value:
            continue
        if rules.looks_like_provider_id(value.strip()) and " " not in value.strip():
            refs.add(value.strip())
        refs.update(PROVIDER_ID_RE.findall(value))
    return refs


# ---------------------------------------------------------------- fetching through the API
def fetch_stripe_rows(start: datetime, end: datetime) -> tuple[list[ProviderRow], list[dict]]:
    """Balance transactions created in [start, end) (naive UTC), all pages, amounts → rupiah."""
    client = get_stripe_client()
    params = {
        "created": {
            "gte": int(start.replace(tzinfo=UTC).timestamp()),
            "lt": int(end.replace(tzinfo=UTC).timestamp()),
        },
        "limit": 100,
        "expand": ["data.source"],
    }
    rows: list[ProviderRow] = []
    errors: list[dict] = []
    try:
        for n, bt in enumerate(
            client.v1.balance_transactions.list(params).auto_paging_iter(), start=1
        ):
            try:
                rows.append(_row_from_stripe(bt))
            except ValueError as err:
                errors.append({"row": n, "message": f"{getattr(bt, 'id', '?')}: {err}"})
    except stripe.StripeError as err:
        raise ProviderUnavailable(
            f"Stripe menolak permintaan: {getattr(err, 'user_message', None) or err}"
        ) from None
    return rows, errors


def _row_from_stripe(obj: Any) -> ProviderRow:
    bt = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    currency = (bt.get("currency") or CURRENCY).lower()
    if currency != CURRENCY:
        raise ValueError(f"mata uang {currency.upper()} bukan IDR")
    source = bt.get("source")
    extra: list[str | None] = []
    if source is not None and not isinstance(source, str):
        for key in ("payment_intent", "charge", "refund", "source_transaction"):
            value = source.get(key)
            extra.append(value if isinstance(value, str) else (value or {}).get("id"))
        source = source.get("id")
    amount = from_stripe_amount(bt.get("amount") or 0)
    fee = from_stripe_amount(bt.get("fee") or 0)
    net = from_stripe_amount(bt.get("net")) if bt.get("net") is not None else amount - fee
    created = bt.get("created")
    description = bt.get("description") or ""
    return ProviderRow(
        id=bt["id"],
        category=rules.provider_category(bt.get("reporting_category"), bt.get("type")),
        type=(bt.get("type") or "").lower(),
        source=source,
        amount=amount,
        fee=fee,
        net=net,
        currency=currency,
        created=datetime.fromtimestamp(int(created), UTC).replace(tzinfo=None) if created else None,
        description=description,
        refs=_refs(source, *extra, description),
    )


# ---------------------------------------------------------------- matching
@dataclass
class _LedgerIndex:
    journals: dict[int, JournalEntry]
    by_ref: dict[str, set[int]]
    stripe_journal_ids: set[int]


def _gross(journal: JournalEntry) -> int:
    return sum(line.amount for line in journal.lines if line.amount > 0)


def _chunks(values: list, size: int = 500) -> Iterable[list]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _load_ledger(
    rows: list[ProviderRow], start: datetime | None, end: datetime | None
) -> _LedgerIndex:
    """Journals any row points at, plus the provider-facing journals of the period (few queries)."""
    refs = sorted({r for row in rows for r in row.refs} | {row.id for row in rows})
    journals: dict[int, JournalEntry] = {}
    by_ref: dict[str, set[int]] = defaultdict(set)
    load = select(JournalEntry).options(selectinload(JournalEntry.lines))

    for chunk in _chunks(refs):
        for j in db.session.scalars(load.where(JournalEntry.reference.in_(chunk))):
            journals[j.id] = j
            by_ref[j.reference].add(j.id)
        payment_refs = dict(
            db.session.execute(
                select(Payment.id, Payment.provider_ref).where(Payment.provider_ref.in_(chunk))
            ).all()
        )
        if payment_refs:
            for j in db.session.scalars(
                load.where(JournalEntry.payment_id.in_(list(payment_refs)))
            ):
                if rules.journal_category(j.kind, j.reference) == "charge":
                    journals[j.id] = j
                    by_ref[payment_refs[j.payment_id]].add(j.id)
        refund_refs = dict(
            db.session.execute(
                select(Refund.id, Refund.provider_ref).where(Refund.provider_ref.in_(chunk))
            ).all()
        )
        if refund_refs:
            for j in db.session.scalars(load.where(JournalEntry.refund_id.in_(list(refund_refs)))):
                journals[j.id] = j
                by_ref[refund_refs[j.refund_id]].add(j.id)

    stripe_ids: set[int] = set()
    if start is not None and end is not None:
        kinds = list(rules.JOURNAL_KIND_CATEGORY)
        period = db.session.scalars(
            load.where(
                JournalEntry.created_at >= start,
                JournalEntry.created_at < end,
                JournalEntry.kind.in_(kinds),
            )
        ).all()
        payment_ids = {j.payment_id for j in period if j.payment_id}
        refund_ids = {j.refund_id for j in period if j.refund_id}
        stripe_payments = (
            set(
                db.session.scalars(
                    select(Payment.id).where(
                        Payment.id.in_(payment_ids), Payment.provider == "stripe"
                    )
                )
            )
            if payment_ids
            else set()
        )
        stripe_refunds = (
            set(
                db.session.scalars(
                    select(Refund.id)
                    .join(Payment, Payment.id == Refund.payment_id)
                    .where(Refund.id.in_(refund_ids), Payment.provider == "stripe")
                )
            )
            if refund_ids
            else set()
        )
        for j in period:
            if (
                rules.looks_like_provider_id(j.reference)
                or j.payment_id in stripe_payments
                or j.refund_id in stripe_refunds
            ):
                journals.setdefault(j.id, j)
                stripe_ids.add(j.id)
    return _LedgerIndex(journals=journals, by_ref=by_ref, stripe_journal_ids=stripe_ids)


def match_rows(rows: list[ProviderRow], ledger: _LedgerIndex) -> dict:
    """Sort every provider row into matched / missing_in_ledger / amount_mismatches / ignored,
    and every unmatched provider-facing journal of the period into missing_at_provider."""
    groups: dict[str, list[dict]] = {
        "matched": [],
        "missing_in_ledger": [],
        "missing_at_provider": [],
        "amount_mismatches": [],
    }
    ignored: list[dict] = []
    seen: set[int] = set()
    for row in rows:
        base = {
            "id": row.id,
            "category": row.category,
            "type": row.type,
            "source": row.source,
            "provider_amount": abs(row.amount),
            "created": iso_utc(row.created),
        }
        if row.category == "fee":
            continue
        if row.category == "other":
            ignored.append(
                {**base, "reason": "Jenis transaksi ini tidak dicocokkan dengan buku besar."}
            )
            continue
        wanted = {row.category} | (
            {"transfer", "payout"} if row.category in ("transfer", "payout") else set()
        )
        ids = {
            jid
            for ref in (row.refs | {row.id})
            for jid in ledger.by_ref.get(ref, ())
            if rules.journal_category(ledger.journals[jid].kind, ledger.journals[jid].reference)
            in wanted
        }
        if not ids:
            if row.category == "payout":
                ignored.append(
                    {
                        **base,
                        "reason": "Pencairan ke rekening bank platform; bukan mutasi buku besar.",
                    }
                )
            else:
                groups["missing_in_ledger"].append({**base, "description": row.description})
            continue
        seen |= ids
        ledger_amount = sum(_gross(ledger.journals[j]) for j in ids)
        item = {**base, "ledger_amount": ledger_amount, "journal_ids": sorted(ids)}
        if ledger_amount == abs(row.amount):
            groups["matched"].append(item)
        else:
            groups["amount_mismatches"].append(
                {**item, "difference": abs(row.amount) - ledger_amount}
            )
    for jid in sorted(ledger.stripe_journal_ids - seen):
        j = ledger.journals[jid]
        groups["missing_at_provider"].append(
            {
                "journal_id": j.id,
                "kind": j.kind,
                "category": rules.journal_category(j.kind, j.reference),
                "reference": j.reference,
                "ledger_amount": _gross(j),
                "created_at": iso_utc(j.created_at),
                "order_id": j.order_id,
                "payment_id": j.payment_id,
                "refund_id": j.refund_id,
            }
        )
    result = {
        name: {"count": len(items), "items": items[:MAX_ITEMS_KEPT]}
        for name, items in groups.items()
    }
    result["ignored"] = ignored[:MAX_ITEMS_KEPT]
    return result


# ---------------------------------------------------------------- fees
def _post_fees(rows: list[ProviderRow], reconciliation: Reconciliation, actor: User) -> dict:
    """Post each row's provider fee once (DR provider_fees, CR provider_cash); flushes only."""
    with_fee = [r for r in rows if r.fee_to_post]
    already: set[str] = set()
    for chunk in _chunks([r.id for r in with_fee]):
        already |= set(
            db.session.scalars(
                select(ProviderFeePosting.balance_transaction_id).where(
                    ProviderFeePosting.balance_transaction_id.in_(chunk)
                )
            )
        )
    posted, amount = 0, 0
    for row in with_fee:
        if row.id in already:
            continue
        fee = row.fee_to_post
        journal = post_journal(
            "fee",
            [(PROVIDER_FEES, fee), (PROVIDER_CASH, -fee)],
            reference=row.id,
            memo=f"Biaya Stripe {row.id} ({row.source or row.type})",
            actor_id=actor.id,
        )
        db.session.add(
            ProviderFeePosting(
                balance_transaction_id=row.id,
                journal_id=journal.id,
                reconciliation_id=reconciliation.id,
                amount=fee,
            )
        )
        posted += 1
        amount += fee
    db.session.flush()
    return {"posted": posted, "already_posted": len(already), "amount_posted": amount}


# ---------------------------------------------------------------- services
def _period_from_rows(rows: list[ProviderRow]) -> tuple[datetime | None, datetime | None]:
    """The whole local days the export covers (an export is usually "1–31 May")."""
    created = [r.created for r in rows if r.created]
    if not created:
        return None, None
    first, last = to_local(min(created)).date(), to_local(max(created)).date()
    return day_start(first), day_start(last + timedelta(days=1))


def _run(
    actor: User,
    source: str,
    rows: list[ProviderRow],
    errors: list[dict],
    start: datetime | None,
    end: datetime | None,
    filename: str | None = None,
) -> Reconciliation:
    ledger = _load_ledger(rows, start, end)
    result = match_rows(rows, ledger)
    rec = Reconciliation(
        actor_id=actor.id,
        source=source,
        filename=filename,
        period_from=start,
        period_to=end,
        rows=len(rows),
    )
    db.session.add(rec)
    db.session.flush()
    result["fees"] = _post_fees(rows, rec, actor)
    result["errors"] = errors
    rec.result = result
    rec.matched_count = result["matched"]["count"]
    rec.missing_in_ledger_count = result["missing_in_ledger"]["count"]
    rec.missing_at_provider_count = result["missing_at_provider"]["count"]
    rec.amount_mismatches_count = result["amount_mismatches"]["count"]
    rec.fees_posted = result["fees"]["posted"]
    record_audit(
        actor,
        "reconciliation.run",
        "reconciliation",
        rec.id,
        after={
            "source": source,
            "rows": len(rows),
            "matched": rec.matched_count,
            "missing_in_ledger": rec.missing_in_ledger_count,
            "missing_at_provider": rec.missing_at_provider_count,
            "amount_mismatches": rec.amount_mismatches_count,
            "fees_posted": rec.fees_posted,
        },
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            "Rekonsiliasi lain sedang memproses transaksi yang sama; coba lagi.",
            code="reconciliation_conflict",
        ) from None
    return rec


def reconcile_csv(
    actor: User,
    content: bytes,
    filename: str | None,
    from_: date | None = None,
    to: date | None = None,
) -> Reconciliation:
    """Reconcile an uploaded Stripe balance-transactions CSV; 422 if it is not one, 403 for anyone
    but finance (it posts provider fees to the ledger)."""
    require_money_mover(actor)
    if not content or not content.strip():
        raise ValidationFailed(
            "Pilih berkas CSV ekspor Stripe.", details={"file": ["Wajib diisi."]}
        )
    rows, errors = parse_stripe_csv(content)
    if not rows and errors:
        raise ValidationFailed(
            "Tidak ada baris yang dapat dibaca.",
            details={"file": [f"baris {e['row']}: {e['message']}" for e in errors[:20]]},
        )
    if from_ and to:
        start, end = day_start(from_), day_start(to + timedelta(days=1))
    else:
        start, end = _period_from_rows(rows)
    return _run(actor, "csv", rows, errors, start, end, filename=(filename or "")[:255] or None)


def reconcile_stripe(actor: User, from_: date, to: date) -> Reconciliation:
    """Fetch Stripe balance transactions for the city's days [from, to] and reconcile them.

    Raises StripeNotConfigured (422) without a key, ProviderUnavailable (502) on Stripe errors,
    Forbidden (403) for anyone but finance.
    """
    require_money_mover(actor)
    start, end = day_start(from_), day_start(to + timedelta(days=1))
    rows, errors = fetch_stripe_rows(start, end)
    return _run(actor, "stripe", rows, errors, start, end)


def list_reconciliations(page: int = 1, per_page: int = 20) -> Page:
    """Past reconciliations, newest first."""
    stmt = (
        select(Reconciliation)
        .options(selectinload(Reconciliation.actor))
        .order_by(Reconciliation.id.desc())
    )
    return paginate(stmt, page, per_page)


def get_reconciliation(rec_id: int) -> Reconciliation:
    rec = db.session.get(Reconciliation, rec_id)
    if rec is None:
        raise NotFound("Rekonsiliasi tidak ditemukan.")
    return rec
