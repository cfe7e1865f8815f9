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
order_delivered = _signals.signal("order-delivered")  # sender: Order, now `delivered` (office)
order_rejected = _signals.signal("order-rejected")  # sender: Order, now `rejected`;
#                                                       kwargs: reason=str, refund=Refund | None

# Sent by finance *inside* the transaction that closes a month, before its snapshot is summed:
# receivers freeze what they derive from the month (the mandate's compliance) with flush only,
# and may return a dict that goes into the month's snapshot under their name.
period_closing = _signals.signal("period-closing")  # sender: "YYYY-MM"; kwargs: actor=User
# Sent by finance *after* the transaction that closed a month committed: receivers tell people
# (the mandate's month-end lists to office heads and readers).
period_closed = _signals.signal("period-closed")  # sender: "YYYY-MM"; kwargs: actor=User

# Sent by the roster import *inside* its transaction, before it commits, with `rows`: the
# imported rows' (row number, position, echelon). Receivers only read and may return a list of
# warnings {row, message, position} (the mandate: positions that match no class).
roster_checking = _signals.signal("roster-checking")  # sender: the acting User or None
