"""Documents the e2e tests send, built like a buyer's system would."""
from odoo.addons.ecrm_eprocurement.order_formats.sample import build_order

LEEDS_GLN = "5012345000004"
GOODS_IN_GLN = "5012345000011"


def leeds_order(document_id, **kwargs):
    lines = kwargs.pop("lines", None) or [
        {"buyer_item_id": "NHS-HS-100", "quantity": 2, "unit_price": "149.00", "name": "Sling"},
        {"buyer_item_id": "NHS-BB-220", "quantity": 10, "unit_price": "11.90", "name": "Bath board"},
        {"gtin": "5060123450031", "quantity": 1, "name": "Walking frame"},
        {"seller_item_id": "TPG-RTS-4", "quantity": 3, "name": "Toilet seat"},
    ]
    kwargs.setdefault("buyer_gln", LEEDS_GLN)
    kwargs.setdefault("delivery_gln", GOODS_IN_GLN)
    return build_order(document_id, lines, **kwargs)
