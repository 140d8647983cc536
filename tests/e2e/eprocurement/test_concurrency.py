"""Idempotency under concurrency: 20 simultaneous deliveries of one order make one sale order.

What a buyer is promised is observed, not a schedule: exactly one delivery earns the 201, a
busy server may answer 503 (retryable) to some of the others, and a 503's retry, like every
other delivery, gets 409 with the one original acknowledgement. However the race goes, one
sale order exists, confirmed once.
"""
from concurrent.futures import ThreadPoolExecutor

from lxml import etree

from .orders import leeds_order

RETRIES = 5


def test_twenty_parallel_posts_create_exactly_one_sale_order(leeds, document_id):
    payload = leeds_order(document_id)
    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda _n: leeds.post(payload), range(20)))
    assert {r.status_code for r in responses} <= {201, 409, 503}, [r.status_code for r in responses]
    assert [r.status_code for r in responses].count(201) <= 1
    for response in [r for r in responses if r.status_code == 503]:
        assert response.headers.get("Retry-After"), "a 503 must say when to retry"
        if response.headers.get("X-Ecrm-Exchange"):  # stored before the failure: kept as retryable
            assert leeds.exchange(response)["retryable"] is True
    answered = [r for r in responses if r.status_code != 503]
    for response in [r for r in responses if r.status_code == 503]:
        for _attempt in range(RETRIES):  # the buyer's retry, as its system would do it
            response = leeds.post(payload)
            if response.status_code != 503:
                break
        answered.append(response)
    statuses = sorted(r.status_code for r in answered)
    assert statuses == [201] + [409] * 19, statuses
    acknowledgements = {r.content for r in answered}
    assert len(acknowledgements) == 1, "every caller gets the one original acknowledgement"
    root = etree.fromstring(acknowledgements.pop())
    assert root.findtext("{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
                         "OrderResponseCode") == "AP"
    assert [o["state"] for o in leeds.sale_orders(document_id)] == ["sale"]
    exchanges = leeds.rpc.env["ecrm.exchange"].search_read(
        [("buyer_document_id", "=", document_id)], ["state", "http_status", "retryable"])
    outcomes = sorted((e["state"], e["http_status"]) for e in exchanges)
    assert outcomes.count(("processed", 201)) == 1, outcomes
    assert set(outcomes) - {("processed", 201)} <= {("error", 409), ("error", 503)}, outcomes
