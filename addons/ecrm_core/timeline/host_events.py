"""The host's events the timeline logs: what each one is logged as, and its source key.

A document logs the events its current state implies (a paid invoice: posted, then paid),
each under a key of its own. Live hooks and the backfill both do exactly that, so an event
logged live is never logged again by a backfill, and a backfill run twice writes nothing.
"""
import hashlib
import re
from collections import namedtuple

# ``family`` is the Settings switch that turns the event on or off; ``subject`` takes the
# document's name.
EventKind = namedtuple("EventKind", "code channel direction family subject")
# One event of one document: ``name`` is its part of the source key.
DocumentEvent = namedtuple("DocumentEvent", "name kind")

FAMILIES = ("email", "sale", "invoice", "lead", "activity")

EMAIL_RECEIVED = EventKind("email_received", "email", "inbound", "email", "%s")
EMAIL_SENT = EventKind("email_sent", "email", "outbound", "email", "%s")

QUOTATION_SENT = EventKind("quotation_sent", "email", "outbound", "sale", "Quotation %s sent")
ORDER_CONFIRMED = EventKind("order_confirmed", "other", "outbound", "sale", "Order %s confirmed")
ORDER_CANCELLED = EventKind("order_cancelled", "other", "outbound", "sale", "Order %s cancelled")
SHOP_ORDER_PLACED = EventKind("shop_order_placed", "portal", "inbound", "sale", "Shop order %s placed")

INVOICE_POSTED = EventKind("invoice_posted", "ledger", "outbound", "invoice", "Invoice %s posted")
INVOICE_PAID = EventKind("invoice_paid", "ledger", "inbound", "invoice", "Invoice %s paid")
REFUND_POSTED = EventKind("refund_posted", "ledger", "outbound", "invoice", "Credit note %s posted")
REFUND_PAID = EventKind("refund_paid", "ledger", "outbound", "invoice", "Credit note %s paid")

LEAD_CREATED = EventKind("lead_created", "other", "inbound", "lead", "Lead: %s")
LEAD_FROM_WEB_FORM = EventKind("lead_created", "web_form", "inbound", "lead", "Web enquiry: %s")
LEAD_WON = EventKind("lead_won", "other", "outbound", "lead", "Won: %s")
LEAD_LOST = EventKind("lead_lost", "other", "outbound", "lead", "Lost: %s")

# an activity marked done, by the host's activity type (call, meeting, e-mail, other)
ACTIVITY_CALL = EventKind("call", "phone", "outbound", "activity", "%s")
ACTIVITY_MEETING = EventKind("meeting", "meeting", "outbound", "activity", "%s")
ACTIVITY_EMAIL = EventKind("activity_done", "email", "outbound", "activity", "%s")
ACTIVITY_OTHER = EventKind("activity_done", "other", "outbound", "activity", "%s")

# a mass mailing (the host's mass_mailing): sent, then what its mail.mail.statistics row records
MAILING_SENT = EventKind("mailing_sent", "email", "outbound", "email", "%s")
MAILING_RESPONSES = {
    "opened": EventKind("mailing_opened", "email", "inbound", "email", "Opened: %s"),
    "clicked": EventKind("mailing_clicked", "email", "inbound", "email", "Clicked: %s"),
    "replied": EventKind("mailing_replied", "email", "inbound", "email", "Replied: %s"),
    "bounced": EventKind("mailing_bounced", "email", "inbound", "email", "Bounced: %s"),
}

# calendar.event: a meeting with the customer among its attendees
CALENDAR_MEETING = EventKind("meeting", "meeting", "outbound", "activity", "%s")

# sale.order state -> the events it implies; a locked order ("done") was confirmed
_SENT = DocumentEvent("sent", QUOTATION_SENT)
_CONFIRMED = DocumentEvent("sale", ORDER_CONFIRMED)
SALE_STATE_EVENTS = {
    "sent": (_SENT,),
    "sale": (_CONFIRMED,),
    "done": (_CONFIRMED,),
    "cancel": (DocumentEvent("cancel", ORDER_CANCELLED),),
}
SHOP_PLACED = DocumentEvent("placed", SHOP_ORDER_PLACED)

# (account.invoice type, state) -> the events it implies; supplier bills are not customer contact
INVOICE_STATE_EVENTS = {
    ("out_invoice", "open"): (DocumentEvent("open", INVOICE_POSTED),),
    ("out_invoice", "paid"): (DocumentEvent("open", INVOICE_POSTED), DocumentEvent("paid", INVOICE_PAID)),
    ("out_refund", "open"): (DocumentEvent("open", REFUND_POSTED),),
    ("out_refund", "paid"): (DocumentEvent("open", REFUND_POSTED), DocumentEvent("paid", REFUND_PAID)),
}

ALL_KINDS = (EMAIL_RECEIVED, EMAIL_SENT, QUOTATION_SENT, ORDER_CONFIRMED, ORDER_CANCELLED,
             SHOP_ORDER_PLACED, INVOICE_POSTED, INVOICE_PAID, REFUND_POSTED, REFUND_PAID,
             LEAD_CREATED, LEAD_FROM_WEB_FORM, LEAD_WON, LEAD_LOST, ACTIVITY_CALL,
             ACTIVITY_MEETING, ACTIVITY_EMAIL, ACTIVITY_OTHER, MAILING_SENT, CALENDAR_MEETING) \
    + tuple(MAILING_RESPONSES.values())

MAX_MESSAGE_ID_IN_KEY = 200
# "mail:...", "mail.message,12:7" or "sale.order,42:sale": reserved for the host's hooks
HOST_KEY = re.compile(r"^(mail:|[a-z_][a-z0-9_]*(\.[a-z0-9_]+)+,\d+:)")


def document_key(model, res_id, event_name, round_no=0):
    """The key of a document's event: ``sale.order,42:sale``.

    One per document, event and round: an order cancelled, reset and confirmed again is in
    its second round (``sale.order,42:sale:1``), so the second confirmation shows too, while
    a retry or a backfill of the same round finds the key stored.
    """
    key = "%s,%d:%s" % (model, res_id, event_name)
    return "%s:%d" % (key, round_no) if round_no else key


def message_key(message_id, record_id, partner_id):
    """The key of a mail message on one customer's timeline: its Message-ID, which a replayed
    mail keeps, and the customer (one mail routed to two customers is an entry on each).

    A message without a Message-ID is told apart by its mail.message id; a very long one is
    hashed to fit the key.
    """
    message_id = (message_id or "").strip()
    if not message_id:
        return "mail.message,%d:%d" % (record_id, partner_id)
    if len(message_id) > MAX_MESSAGE_ID_IN_KEY:
        message_id = "sha1:" + hashlib.sha1(message_id.encode("utf-8", "replace")).hexdigest()
    return "mail:%s:%d" % (message_id, partner_id)


def is_host_key(key):
    """Whether ``key`` has the form of a host event's key, which only the host's hooks write."""
    return bool(HOST_KEY.match(key or ""))


def sale_events(state, from_shop):
    """The events an order in ``state`` implies; a shop order also counts as placed."""
    events = SALE_STATE_EVENTS.get(state, ())
    if from_shop and events and state != "cancel":
        events = (SHOP_PLACED,) + events
    return events


def invoice_events(invoice_type, state):
    """The events a customer invoice or refund in ``state`` implies."""
    return INVOICE_STATE_EVENTS.get((invoice_type, state), ())


def lead_events(from_web_form, won, lost):
    """The events a lead implies: created (from the web form or not), then won or lost."""
    events = (DocumentEvent("created", LEAD_FROM_WEB_FORM if from_web_form else LEAD_CREATED),)
    if won:
        events += (DocumentEvent("won", LEAD_WON),)
    elif lost:
        events += (DocumentEvent("lost", LEAD_LOST),)
    return events


def message_kind(author_is_staff):
    """Staff wrote it: sent; the customer, or an unknown sender: received."""
    return EMAIL_SENT if author_is_staff else EMAIL_RECEIVED


def subject(kind, name):
    return kind.subject % (name or "")
