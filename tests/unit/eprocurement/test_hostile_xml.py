"""Hostile XML never reaches a resolver, a network or an expansion."""
import pytest

from odoo.addons.ecrm_eprocurement.order_formats import DocumentError, parse
from odoo.addons.ecrm_eprocurement.order_formats.sample import build_order

GOOD = build_order("PO-1", [{"buyer_item_id": "A", "quantity": 1}])
BODY = GOOD.split(b"?>", 1)[1]


def rejected(payload, limit=1024 * 1024):
    with pytest.raises(DocumentError) as caught:
        parse("peppol-order", payload, limit)
    return caught.value


XXE_FILE = b'<?xml version="1.0"?>\n<!DOCTYPE Order [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + BODY.replace(
    b"<cbc:ID>PO-1</cbc:ID>", b"<cbc:ID>&x;</cbc:ID>")
XXE_HTTP = b'<?xml version="1.0"?>\n<!DOCTYPE Order SYSTEM "http://127.0.0.1:9/evil.dtd">' + BODY
LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
                     for n in range(1, 10))
          + b"]>\n<lolz>&lol9;</lolz>")


@pytest.mark.parametrize("payload", [XXE_FILE, XXE_HTTP, LAUGHS], ids=["xxe-file", "xxe-http", "billion-laughs"])
def test_dtd_based_attacks_are_refused_before_parsing(payload):
    error = rejected(payload)
    assert error.status == 400
    assert "DTD and entity declarations (<!DOCTYPE) are not accepted" in str(error)
    assert error.problems[0].line == 2
    assert "root:" not in str(error)


def test_size_is_checked_before_anything_else():
    error = rejected(b"\xff" * 2048, limit=1024)
    assert error.status == 413
    assert "document is 2048 bytes, the limit is 1024 bytes" in str(error)


def test_invalid_utf8_names_line_and_byte():
    payload = GOOD.replace(b"<cbc:Name>Item 1</cbc:Name>", b"<cbc:Name>Caf\xe9</cbc:Name>")
    error = rejected(payload)
    assert error.status == 400
    expected_line = GOOD[:GOOD.index(b"<cbc:Name>Item 1")].count(b"\n") + 1
    assert error.problems[0].line == expected_line
    assert "invalid UTF-8 byte 0xe9" in str(error)


def test_other_declared_encodings_are_refused():
    error = rejected(GOOD.replace(b"encoding='UTF-8'", b"encoding='ISO-8859-1'"))
    assert "declared encoding 'ISO-8859-1' is not accepted" in str(error)


def test_utf8_bom_is_tolerated():
    assert parse("peppol-order", b"\xef\xbb\xbf" + GOOD, 1024 * 1024)["document_id"] == "PO-1"
