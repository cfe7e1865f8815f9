"""Domain events other areas react to without importing each other.

Senders call `order_paid.send(order)` *after* the transaction that made the change committed.
Receivers (notifications, payouts…) connect in their area's module import.
"""

from blinker import Namespace

_signals = Namespace()

order_paid = _signals.signal("order-paid")  # sender: Order, now `paid`
order_completed = _signals.signal("order-completed")  # sender: Order, now `completed`
order_refunded = _signals.signal("order-refunded")  # sender: Order; kwargs: refund=Refund
order_accepted = _signals.signal("order-accepted")  # sender: Order, now `accepted`
order_ready = _signals.signal("order-ready")  # sender: Order, now `ready`
order_rejected = _signals.signal("order-rejected")  # sender: Order, now `rejected`;
#                                                       kwargs: reason=str, refund=Refund | None
