"""The payout port: how money reaches a vendor. `ManualBankFile` writes the bank transfer file
finance executes (then marks each payout paid); `StripeConnect` makes a Connect transfer with the
real `stripe` library (tests inject a fake HTTP client, so the library's own code runs)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import stripe

from marketplace.errors import ValidationFailed
from marketplace.payouts import rules
from marketplace.stripe_client import CURRENCY, get_stripe_client, to_stripe_amount

if TYPE_CHECKING:
    from marketplace.payouts.models import Payout


@dataclass(frozen=True)
class TransferRequest:
    """A plain snapshot of a payout, so the provider is called with no database transaction open."""

    payout_id: int
    run_id: int
    vendor_id: int
    amount: int
    destination: str | None
    reference: str
    idempotency_key: str


BANK_FILE_COLUMNS = (
    "vendor_name",
    "bank_name",
    "account_number",
    "account_name",
    "amount",
    "reference",
)


@dataclass(frozen=True)
class SendResult:
    """What one transfer attempt did. `settled` → paid (provider_ref set); otherwise failed with
    `failure_code`/`failure_message`; `definitive` says Stripe refused (nothing was created)."""

    settled: bool
    provider_ref: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    definitive: bool = False


class PayoutAdapter:
    """A way to pay vendors. `send` is called once per new payout and on each retry; `None`
    means the adapter does not move money itself (finance does, from `bank_file`)."""

    name = ""

    def send(self, request: TransferRequest) -> SendResult | None:
        raise NotImplementedError

    def bank_file(self, payouts: Iterable[Payout]) -> str:
        raise ValidationFailed(
            "Pembayaran lewat Stripe tidak memakai berkas transfer bank.",
            code="no_bank_file",
            details={"adapter": [self.name]},
        )


class ManualBankFile(PayoutAdapter):
    """Finance downloads one CSV per run, executes it in the bank's portal and marks each payout
    paid with the bank's reference."""

    name = "manual"

    def send(self, request: TransferRequest) -> None:
        return None

    def bank_file(self, payouts: Iterable[Payout]) -> str:
        """One row per payout: vendor, bank, account number and name, amount, PKN-PO-<id>."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(BANK_FILE_COLUMNS)
        for p in payouts:
            writer.writerow(
                [
                    rules.csv_cell(p.vendor.name),
                    rules.csv_cell(p.bank_name),
                    rules.csv_cell(p.bank_account_number),
                    rules.csv_cell(p.bank_account_name),
                    p.amount,
                    p.reference,
                ]
            )
        return out.getvalue()


class StripeConnect(PayoutAdapter):
    """Separate charges and transfers: the platform transfers each vendor's payout to their
    connected account. Stripe does not retry failed transfers, so we record the failure."""

    name = "stripe"

    def send(self, request: TransferRequest) -> SendResult:
        if not request.destination:
            return SendResult(
                False,
                failure_code="no_stripe_account",
                definitive=False,
                failure_message="Toko ini belum menghubungkan akun Stripe.",
            )
        params = {
            "amount": to_stripe_amount(request.amount),
            "currency": CURRENCY,
            "destination": request.destination,
            "transfer_group": f"payout:{request.payout_id}",
            "description": f"Peken payout {request.reference}",
            "metadata": {
                "payout_id": str(request.payout_id),
                "run_id": str(request.run_id),
                "vendor_id": str(request.vendor_id),
                "reference": request.reference,
            },
        }
        try:
            transfer = get_stripe_client().v1.transfers.create(
                params, {"idempotency_key": request.idempotency_key}
            )
        except stripe.StripeError as err:
            status = getattr(err, "http_status", None)
            code = getattr(err, "code", None) or type(err).__name__
            message = getattr(err, "user_message", None) or str(err) or code
            return SendResult(
                False,
                failure_code=str(code)[:60],
                failure_message=str(message),
                definitive=rules.is_definitive_failure(status),
            )
        return SendResult(True, provider_ref=transfer.id)


ADAPTERS: dict[str, type[PayoutAdapter]] = {"manual": ManualBankFile, "stripe": StripeConnect}


def get_adapter(name: str) -> PayoutAdapter:
    return ADAPTERS[name]()
