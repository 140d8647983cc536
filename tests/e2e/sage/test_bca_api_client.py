"""The Sage Business Cloud client over real HTTP against the local double (no Odoo needed).

The client never sleeps or loops: a failure that may pass is a ``retryable`` SageApiError
(queue_job tries the job again later), one that will not is a plain one."""
import pytest

from addons.ecrm_sage_bridge.sage_formats.bca_api import SageApiError, SageClient
from .sage_api_double import SageDouble


class MemoryStore:
    def __init__(self, token):
        self.token, self.saved = token, []

    def load(self):
        return self.token

    def save(self, token):
        self.token = token
        self.saved.append(token)


@pytest.fixture
def double():
    server = SageDouble().start()
    yield server
    server.stop()


@pytest.fixture
def client(double):
    return SageClient(double.url, double.url + "/token", "ecrm-client", "s3cret", "biz-uk-1",
                      MemoryStore("refresh-0"))


def api_calls(double, path):
    return [request for request in double.requests if request[1] == path]


def test_refresh_tokens_rotate_and_each_new_one_is_saved_before_use(client, double):
    client.request("GET", "tax_rates")
    first = client.token_store.token
    assert first == double.refresh_token and first != "refresh-0"
    double.expire_access_tokens()
    client.request("GET", "tax_rates")                       # 401 -> refresh -> retry
    assert client.token_store.saved == [first, double.refresh_token]
    stale = SageClient(double.url, double.url + "/token", "ecrm-client", "s3cret", "biz-uk-1", MemoryStore(first))
    with pytest.raises(SageApiError) as caught:
        stale.request("GET", "tax_rates")
    assert caught.value.status == 400, "a used refresh token must not work twice"


def test_every_call_carries_the_business_header(client, double):
    client.request("GET", "contacts")
    api_calls = [headers for method, path, headers in double.requests if path != "token"]
    assert api_calls and all(headers["X-Business"] == "biz-uk-1" for headers in api_calls)
    wrong = SageClient(double.url, double.url + "/token", "ecrm-client", "s3cret", "another-biz",
                       MemoryStore(double.refresh_token))
    with pytest.raises(SageApiError) as caught:
        wrong.request("GET", "contacts")
    assert caught.value.status == 403


def test_pagination_follows_next_until_the_end(client, double):
    for number in range(45):
        client.create("contacts", "contact", {"name": "Customer %d" % number, "reference": "C%03d" % number,
                                              "contact_type_ids": ["CUSTOMER"]})
    seen = [item["id"] for item in client.iterate("contacts", items_per_page=20)]
    assert len(seen) == len(set(seen)) == 45
    pages = [path for method, path, headers in double.requests if method == "GET" and path == "contacts"]
    assert len(pages) == 3


def test_429_is_retryable_after_what_sage_asked_and_is_sent_once(client, double):
    client.request("GET", "tax_rates")
    double.fail_next(429, retry_after=7)
    with pytest.raises(SageApiError) as caught:
        client.request("GET", "tax_rates")
    assert (caught.value.status, caught.value.retryable, caught.value.retry_after) == (429, True, 7.0)
    assert not caught.value.uncertain, "Sage did not process a 429"
    assert len(api_calls(double, "tax_rates")) == 2
    assert len(client.request("GET", "tax_rates")["$items"]) == 5, "the next try goes through"


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_5xx_is_retryable_and_not_looped(client, double, status):
    client.request("GET", "tax_rates")
    double.fail_next(status, times=10)
    with pytest.raises(SageApiError) as caught:
        client.request("GET", "tax_rates")
    assert (caught.value.status, caught.value.retryable, caught.value.retry_after) == (status, True, None)
    assert len(api_calls(double, "tax_rates")) == 2, "one call, no loop"


@pytest.mark.parametrize("status", [400, 403, 404, 422])
def test_a_4xx_is_not_retryable(client, double, status):
    client.request("GET", "tax_rates")
    double.fail_next(status)
    with pytest.raises(SageApiError) as caught:
        client.request("GET", "tax_rates")
    assert caught.value.status == status and not caught.value.retryable


def test_create_once_adopts_a_record_sent_by_an_interrupted_run(client, double):
    body = {"contact_id": "x", "date": "2026-11-02", "reference": "INV/2026/0007", "invoice_lines": []}
    created, new = client.create_once("sales_invoices", "sales_invoice", body)
    again, new_again = client.create_once("sales_invoices", "sales_invoice", body)
    assert (new, new_again) == (True, False) and again["id"] == created["id"]
    assert len(double.records["sales_invoices"]) == 1
    similar = dict(body, reference="INV/2026/00071")
    assert client.create_once("sales_invoices", "sales_invoice", similar)[1] is True


INVOICE = {"contact_id": "x", "date": "2026-11-02", "reference": "INV/2026/0042", "invoice_lines": []}


@pytest.mark.parametrize("lose_the_answer", [
    lambda double: double.store_then_fail(504),
    lambda double: double.store_then_fail(502),
    lambda double: double.store_then_drop(),
], ids=["504 after storing", "502 after storing", "connection dropped after storing"])
@pytest.mark.parametrize("honours_idempotency", [True, False], ids=["idempotency_id honoured", "look-up only"])
def test_a_post_stored_then_unanswered_is_not_posted_again(client, double, lose_the_answer,
                                                           honours_idempotency):
    double.honours_idempotency = honours_idempotency
    lose_the_answer(double)
    with pytest.raises(SageApiError) as caught:
        client.create_once("sales_invoices", "sales_invoice", dict(INVOICE))
    assert caught.value.uncertain and caught.value.retryable
    # the job's next try: the look-up finds what the lost POST stored, nothing is posted
    record, created = client.create_once("sales_invoices", "sales_invoice", dict(INVOICE))
    assert not created
    assert [invoice["id"] for invoice in double.records["sales_invoices"]] == [record["id"]]
    assert len(double.posts("sales_invoices")) == 1


def test_a_post_answered_after_the_client_gave_up_is_not_posted_again(double):
    client = SageClient(double.url, double.url + "/token", "ecrm-client", "s3cret", "biz-uk-1",
                        MemoryStore("refresh-0"), timeout=(5, 0.5))
    double.store_then_stall(2.0)
    with pytest.raises(SageApiError) as caught:
        client.create_once("sales_invoices", "sales_invoice", dict(INVOICE))
    assert caught.value.uncertain and caught.value.retryable and "did not answer in time" in str(caught.value)
    record, created = client.create_once("sales_invoices", "sales_invoice", dict(INVOICE))
    assert not created
    assert [invoice["id"] for invoice in double.records["sales_invoices"]] == [record["id"]]


def test_the_idempotency_id_covers_a_search_that_has_not_caught_up(client, double):
    """Sage found nothing yet (its search lags) and the 504 hid the stored invoice: the second
    POST carries the same idempotency_id, so Sage answers with the first invoice."""
    double.search_lag(5)
    double.store_then_fail(504)
    with pytest.raises(SageApiError):
        client.create_once("sales_invoices", "sales_invoice", dict(INVOICE))
    record, _created = client.create_once("sales_invoices", "sales_invoice", dict(INVOICE))
    assert [invoice["id"] for invoice in double.records["sales_invoices"]] == [record["id"]]
    ids = [body["sales_invoice"]["idempotency_id"] for path, body in double.post_bodies]
    assert len(ids) == 2 and ids[0] == ids[1] and len(ids[0]) == 32 and "-" not in ids[0]
    again = SageClient(double.url, double.url + "/token", "ecrm-client", "s3cret", "biz-uk-1",
                       MemoryStore(double.refresh_token))
    assert again.idempotency_id("sales_invoices", INVOICE["reference"]) == ids[0], "the same on the next run"


def test_a_plain_post_is_never_resent_after_a_5xx(client, double):
    double.fail_next(503)
    with pytest.raises(SageApiError) as caught:
        client.create("contacts", "contact", {"name": "Once", "reference": "ONCE"})
    assert caught.value.status == 503 and caught.value.uncertain
    assert len(double.posts("contacts")) == 1


def test_a_post_refused_for_what_it_holds_is_not_retried(client, double):
    with pytest.raises(SageApiError) as caught:
        client.create_once("sales_invoices", "not_the_key", dict(INVOICE))
    assert caught.value.status == 422 and not caught.value.uncertain and not caught.value.retryable
    assert len(double.posts("sales_invoices")) == 1


def test_a_dropped_connection_is_retryable_and_posts_look_up_first(client, double):
    client.request("GET", "tax_rates")
    double.drop_next()
    with pytest.raises(SageApiError) as caught:
        client.request("GET", "tax_rates")
    assert caught.value.retryable and caught.value.status is None and not caught.value.uncertain
    double.drop_next()             # the look-up GET: nothing posted before it failed
    with pytest.raises(SageApiError):
        client.create_once("sales_invoices", "sales_invoice", dict(INVOICE))
    assert double.posts("sales_invoices") == []
    client.create_once("sales_invoices", "sales_invoice", dict(INVOICE))
    assert len(double.posts("sales_invoices")) == len(double.records["sales_invoices"]) == 1


def test_an_expired_access_token_is_renewed_once_not_looped(client, double):
    client.request("GET", "tax_rates")
    double.expire_access_tokens()
    assert len(client.request("GET", "tax_rates")["$items"]) == 5
    grants = double.token_grants
    double.fail_next(401, times=5)
    with pytest.raises(SageApiError) as caught:
        client.request("GET", "tax_rates")
    assert caught.value.status == 401 and not caught.value.retryable
    assert double.token_grants == grants + 1, "one new token, one more try"


@pytest.mark.parametrize("url, message, retryable", [
    ("http://127.0.0.1:1", "could not reach Sage at 127.0.0.1:1", True),
    ("https://{double}", "TLS connection to", False),
], ids=["connection refused", "TLS to a plain HTTP server"])
def test_an_unreachable_api_is_a_sage_api_error(double, url, message, retryable):
    url = url.format(double=double.url[len("http://"):])
    client = SageClient(url, url + "/token", "ecrm-client", "s3cret", "biz-uk-1", MemoryStore("refresh-0"))
    with pytest.raises(SageApiError) as caught:
        client.request("GET", "contacts")
    assert message in str(caught.value) and caught.value.retryable is retryable


@pytest.mark.parametrize("status, body, message", [
    (200, "<html>Service Unavailable</html>", "not JSON"),
    (502, "<html>Bad Gateway</html>", "answered 502"),
    (200, "[1, 2, 3]", "without $items"),
    (200, '{"$items": [{"no": "id"}]}', "without an id"),
    (200, '{"$items": [], "$next": "http://evil.example/contacts?page=2"}', "not a link of this API"),
], ids=["HTML 200", "HTML 502", "a list", "items without ids", "next to another host"])
def test_answers_that_are_not_what_sage_sends_are_a_sage_api_error(client, double, status, body, message):
    client.request("GET", "tax_rates")
    double.fail_next(status, times=10, body=body)
    with pytest.raises(SageApiError) as caught:
        list(client.iterate("contacts"))
    assert message in str(caught.value)


def test_a_token_endpoint_that_does_not_answer_json_is_a_sage_api_error(double):
    client = SageClient(double.url, double.url + "/contacts", "ecrm-client", "s3cret", "biz-uk-1",
                        MemoryStore("refresh-0"))
    double.fail_next(200, body="<html>login page</html>")
    with pytest.raises(SageApiError) as caught:
        client.request("GET", "tax_rates")
    assert "without the tokens expected" in str(caught.value)


@pytest.mark.parametrize("retry_after, asked", [("7", 7.0), ("inf", 3600.0), ("1e9", 3600.0), ("nan", None),
                                                 ("-5", 0.0), ("soon", None), (None, None)])
def test_retry_after_is_bounded(client, double, retry_after, asked):
    client.request("GET", "tax_rates")
    double.fail_next(429, retry_after=retry_after)
    with pytest.raises(SageApiError) as caught:
        client.request("GET", "tax_rates")
    assert caught.value.retryable and caught.value.retry_after == asked
