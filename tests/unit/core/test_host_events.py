"""Which host events a document's state implies, and the keys that log each once."""
import pytest

from odoo.addons.ecrm_core.timeline import host_events, rows


def names(events):
    return [event.name for event in events]


@pytest.mark.parametrize("state, from_shop, expected", [
    ("draft", False, []),
    ("sent", False, ["sent"]),
    ("sale", False, ["sale"]),
    ("done", False, ["sale"]),  # a locked order was confirmed: the same key as its confirmation
    ("cancel", False, ["cancel"]),
    ("sent", True, ["placed", "sent"]),
    ("sale", True, ["placed", "sale"]),
    ("cancel", True, ["cancel"]),
])
def test_an_orders_state_implies_its_events(state, from_shop, expected):
    assert names(host_events.sale_events(state, from_shop)) == expected


@pytest.mark.parametrize("invoice_type, state, expected", [
    ("out_invoice", "draft", []),
    ("out_invoice", "open", ["invoice_posted"]),
    ("out_invoice", "paid", ["invoice_posted", "invoice_paid"]),
    ("out_refund", "paid", ["refund_posted", "refund_paid"]),
    ("in_invoice", "paid", []),  # a supplier bill is not customer contact
    ("out_invoice", "cancel", []),
])
def test_an_invoices_state_implies_its_events(invoice_type, state, expected):
    assert [event.kind.code for event in host_events.invoice_events(invoice_type, state)] == expected


def test_a_lead_is_created_then_won_or_lost_never_both():
    assert names(host_events.lead_events(False, won=False, lost=False)) == ["created"]
    assert names(host_events.lead_events(True, won=True, lost=True)) == ["created", "won"]
    assert host_events.lead_events(True, False, False)[0].kind.channel == "web_form"
    assert names(host_events.lead_events(False, won=False, lost=True)) == ["created", "lost"]


def test_a_message_is_keyed_by_its_message_id_and_customer_or_its_record_when_it_has_none():
    assert host_events.message_key(" <a@b.example> ", 5, 7) == "mail:<a@b.example>:7"
    assert host_events.message_key("<a@b.example>", 5, 8) != host_events.message_key("<a@b.example>", 5, 7)
    assert host_events.message_key("", 5, 7) == host_events.message_key(None, 5, 7) == "mail.message,5:7"
    long_key = host_events.message_key("<%s@b.example>" % ("x" * 500), 5, 7)
    assert long_key.startswith("mail:sha1:") and len(long_key) <= rows.MAX_SOURCE_KEY
    assert host_events.message_key("<%s@b.example>" % ("x" * 500), 6, 7) == long_key


@pytest.mark.parametrize("key, reserved", [
    ("mail:<a@b.example>:7", True), ("mail.message,5:7", True), ("sale.order,42:sale", True),
    ("account.invoice,7:paid", True), ("import:7", False), ("crm-export:4711", False),
    ("phone-system:call-88213", False), ("sage:SI-0042", False),
])
def test_the_hosts_key_forms_are_reserved_and_integrators_own_prefixes_are_not(key, reserved):
    assert host_events.is_host_key(key) is reserved


def test_keys_of_one_document_differ_by_event_and_fit_the_column():
    keys = {host_events.document_key("sale.order", 42, event) for event in ("sent", "sale", "cancel", "placed")}
    assert len(keys) == 4 and max(map(len, keys)) <= rows.MAX_SOURCE_KEY


def test_every_kind_is_a_valid_row_for_the_timeline():
    for kind in host_events.ALL_KINDS:
        assert kind.family in host_events.FAMILIES
        row = {"partner_id": 7, "channel": kind.channel, "direction": kind.direction,
               "interaction_type": kind.code, "subject": host_events.subject(kind, "SO042"),
               "source_key": "k"}
        types = {kind.code: rows.TypeDefaults(1, None, None)}
        assert rows.validate([row], {"res.partner": {7}}, set(), types) == [], kind


def test_a_source_key_repeated_in_a_batch_is_stored_once_and_a_blank_one_is_refused():
    batch = [{"source_key": "a"}, {"source_key": "b"}, {}, {"source_key": "a"}, {}]
    assert rows.first_of_each_key(batch) == [0, 1, 2, 4]
    problems = rows.validate([{"partner_id": 7, "channel": "email", "interaction_type": "x", "source_key": " "}],
                             {"res.partner": {7}}, set(), {"x": rows.TypeDefaults(1, None, None)})
    assert [p.message for p in problems] == ["source_key must be 1 to 255 characters, got 0"]
    assert rows.first_of_each_key([{"source_key": "a", "company_id": 1}, {"source_key": "a", "company_id": 2}]) \
        == [0, 1], "a key is a company's"


def test_a_documents_second_round_has_a_key_of_its_own_and_the_form_of_the_hosts():
    first, second = (host_events.document_key("sale.order", 42, "sale", round_no) for round_no in (0, 1))
    assert (first, second) == ("sale.order,42:sale", "sale.order,42:sale:1")
    assert host_events.is_host_key(second)
