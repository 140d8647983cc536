from odoo.addons.ecrm_portal.personalisation import clickstream


def test_trackable_needs_consent_and_no_dnt():
    assert clickstream.trackable("/shop", consent=True)
    assert not clickstream.trackable("/shop", consent=False)
    assert not clickstream.trackable("/shop", consent=True, do_not_track=True)
    assert not clickstream.trackable("/shop", method="POST", consent=True)
    assert not clickstream.trackable("/web/login", consent=True)


def test_product_and_category_ids_from_paths():
    assert clickstream.product_template_id("/shop/product/office-chair-12") == 12
    assert clickstream.product_template_id("/shop/product/12") == 12
    assert clickstream.product_template_id("/shop/cart") is None
    assert clickstream.category_id("/shop/category/stairlifts-4/page/2") == 4


def test_utm_from_query():
    assert clickstream.utm_from_query({"utm_source": " nhs ", "x": 1}) == {
        "source": "nhs", "medium": None, "campaign": None}


def test_sessions_entry_exit_and_cart_without_order():
    views = [("a", 2, "/shop"), ("a", 1, "/"), ("a", 3, "/shop/cart"),
             ("b", 1, "/shop/cart"), ("b", 2, "/shop/confirmation"),
             ("c", 1, "/contactus/")]
    summaries = {s.session: s for s in clickstream.summarise_sessions(views)}
    assert summaries["a"].path == ("/", "/shop", "/shop/cart")
    assert (summaries["a"].entry, summaries["a"].exit) == ("/", "/shop/cart")
    assert summaries["c"].exit == "/contactus"
    assert clickstream.cart_without_order_paths(views) == [("/", "/shop", "/shop/cart")]


def test_only_plain_pages_commit_lazily():
    assert clickstream.may_commit_lazily("/shop")
    assert not clickstream.may_commit_lazily("/shop/payment/validate")
    assert not clickstream.may_commit_lazily("/shop/confirmation")
