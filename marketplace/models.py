"""Import every model so the metadata (migrations, create_all) sees all tables.

Add a line here when an area gets a new models module.
"""

from marketplace.accounts.models import (  # noqa: F401
    ApiToken,
    CitySetting,
    LoginThrottle,
    Opd,
    User,
)
from marketplace.areas.models import Area, Kecamatan, UnresolvedArea  # noqa: F401
from marketplace.audit.models import AuditLog  # noqa: F401
from marketplace.catalog.models import Category, Product, ProductFlagReview  # noqa: F401
from marketplace.finance.models import ProviderFeePosting, Reconciliation, SpendingTarget  # noqa: F401
from marketplace.ledger.models import (  # noqa: F401
    CapReservation,
    FairShareCap,
    JournalEntry,
    LedgerLine,
    SpendingRecord,
)
from marketplace.mandate.models import (  # noqa: F401
    MandateExemption,
    MandateMonthEndNotice,
    MandateReader,
    MandateReminder,
    MandateRule,
    MandateRuleLine,
    PositionClass,
    PositionClassMatch,
)
from marketplace.notifications.models import Notification  # noqa: F401
from marketplace.ordering.models import (  # noqa: F401
    CartItem,
    Checkout,
    Order,
    OrderEvent,
    OrderLine,
)
from marketplace.payments.models import Payment, Refund, RefundLine, StripeEvent  # noqa: F401
from marketplace.payouts.models import Payout, PayoutRun  # noqa: F401
from marketplace.procurement.models import (  # noqa: F401
    Bast,
    OfficeRole,
    PurchaseRequest,
    PurchaseRequestEvent,
    PurchaseRequestLine,
)
from marketplace.procurement.payment_models import (  # noqa: F401
    OpdPayment,
    OpdPaymentLine,
    TaxDeposit,
    TaxWithholding,
)
from marketplace.shops.models import (  # noqa: F401
    BusinessClassDeclaration,
    BusinessClassFlag,
    StockMovement,
    Vendor,
)
