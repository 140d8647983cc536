"""Idempotency under concurrency: 20 simultaneous deliveries of one order make one sale order."""
from concurrent.futures import ThreadPoolExecutor

from lxml import etree

from .orders import leeds_order


def test_twenty_parallel_posts_create_exactly_one_sale_order(leeds, document_id):
    payload = leeds_order(document_id)
    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda _n: leeds.post(payload), range(20)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 19, statuses
    acknowledgements = {r.content for r in responses}
    assert len(acknowledgements) == 1, "every caller gets the one original acknowledgement"
    root = etree.fromstring(acknowledgements.pop())
    assert root.findtext("{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
                         "OrderResponseCode") == "AP"
    assert [o["state"] for o in leeds.sale_orders(document_id)] == ["sale"]
    exchanges = leeds.rpc.env["ecrm.exchange"].search_read(
        [("buyer_document_id", "=", document_id)], ["state", "http_status"])
    assert len(exchanges) == 20
    assert sorted((e["state"], e["http_status"]) for e in exchanges) == \
        [("error", 409)] * 19 + [("processed", 201)]
