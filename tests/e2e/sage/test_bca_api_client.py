"""The Sage Business Cloud client over real HTTP against the local double (no Odoo needed)."""
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
def sleeps():
    return []


@pytest.fixture
def client(double, sleeps):
    return SageClient(double.url, double.url + "/token", "ecrm-client", "s3cret", "biz-uk-1",
                      MemoryStore("refresh-0"), sleep=sleeps.append, backoff=0.25)


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


def test_429_waits_for_retry_after_and_5xx_backs_off(client, double, sleeps):
    double.fail_next(429, retry_after=7)
    double.fail_next(503, times=2)
    assert len(client.request("GET", "tax_rates")["$items"]) == 5
    assert sleeps == [7.0, 0.25, 0.5]


def test_persistent_failure_is_reported_not_looped(client, double, sleeps):
    double.fail_next(500, times=10)
    with pytest.raises(SageApiError) as caught:
        client.request("GET", "tax_rates")
    assert caught.value.status == 500 and len(sleeps) == client.max_attempts - 1


def test_create_once_adopts_a_record_sent_by_an_interrupted_run(client, double):
    body = {"contact_id": "x", "date": "2026-11-02", "reference": "INV/2026/0007", "invoice_lines": []}
    created, new = client.create_once("sales_invoices", "sales_invoice", body)
    again, new_again = client.create_once("sales_invoices", "sales_invoice", body)
    assert (new, new_again) == (True, False) and again["id"] == created["id"]
    assert len(double.records["sales_invoices"]) == 1
    similar = dict(body, reference="INV/2026/00071")
    assert client.create_once("sales_invoices", "sales_invoice", similar)[1] is True
