"""Documents as people read them on the exchange form."""
from odoo.addons.ecrm_eprocurement.order_formats import acknowledgement as ack
from odoo.addons.ecrm_eprocurement.order_formats import display


def test_xml_is_indented_one_element_a_line():
    text = display.readable_document(b"<Order><ID>PO-1</ID><Line><Qty>2</Qty></Line></Order>")
    assert text.splitlines() == ["<Order>", "  <ID>PO-1</ID>", "  <Line>", "    <Qty>2</Qty>", "  </Line>",
                                 "</Order>"]


def test_a_csv_or_a_broken_file_is_shown_as_sent():
    assert display.readable_document(b"order_id,quantity\nPO-1,2\n") == "order_id,quantity\nPO-1,2\n"
    assert display.readable_document(b"<Order><ID>") == "<Order><ID>"


def test_an_entity_bomb_is_shown_as_text_never_expanded():
    bomb = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">]><l>&a;&a;&a;</l>'
    assert display.readable_document(bomb) == bomb.decode()


def test_a_long_document_is_cut_and_says_so():
    text = display.readable_document(b"<a>" + b"x" * 500 + b"</a>", shown_bytes=100)
    assert len(text.splitlines()[0]) == 100 and "100 of 507 bytes shown" in text


def test_an_acknowledgement_in_words():
    summary = {"response_code": ack.CHANGED, "sale_order": "SO042", "test_mode": False,
               "lines": [{"line_id": "1", "status": ack.LINE_CHANGED, "quantity": 2.0, "unit_code": "EA",
                          "unit_price": "95.00"}],
               "problems": [{"line": 2, "message": "unknown product (buyer item id NOPE)"}]}
    assert display.acknowledgement_lines(summary) == [
        "Accepted with changes as sale order SO042.", "Line 1: accepted with changes, 2 EA at 95.00.",
        "Line 2: unknown product (buyer item id NOPE)."]
    assert display.acknowledgement_lines(None) == []
