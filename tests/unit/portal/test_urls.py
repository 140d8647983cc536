"""Redirect targets: only paths of this website are followed (personalisation.urls)."""
from urllib.parse import urljoin, urlsplit

import pytest

from odoo.addons.ecrm_portal.personalisation.urls import is_local_path, local_path

SITE = "http://shop.example/some/page"

OFF_SITE = [
    "http://evil.example/", "https://evil.example", "//evil.example", "///evil.example", "/\\evil.example",
    "\\\\evil.example", "/.//evil.example", "/./\\evil.example", "/..//evil.example", "/a/../..//evil.example",
    "/%2e//evil.example", "/%2E%2E//evil.example", "/\t/evil.example", "/\n/evil.example", "/\r\n/x",
    "javascript:alert(1)", "evil.example", " //evil.example", "", None, 42, "mailto:x@evil.example",
    "/shop\r\nSet-Cookie: x=1",
]
LOCAL = [
    ("/", "/"), ("/shop", "/shop"), ("/shop?page=2&q=a//b", "/shop?page=2&q=a//b"),
    ("/shop/./cart", "/shop/cart"), ("/shop/../my", "/my"), ("/../../my", "/my"), ("/my#top", "/my#top"),
    ("/shop?next=http://evil.example", "/shop?next=http://evil.example"), ("/a:b", "/a:b"),
]


@pytest.mark.parametrize("url", OFF_SITE)
def test_off_site_targets_fall_back_to_the_default(url):
    assert local_path(url) == "/"
    assert local_path(url, default=None) is None
    assert not is_local_path(url)


@pytest.mark.parametrize("url, expected", LOCAL)
def test_local_paths_are_followed_normalised(url, expected):
    assert local_path(url) == expected
    assert is_local_path(url)


@pytest.mark.parametrize("url", OFF_SITE + [item[0] for item in LOCAL])
def test_whatever_comes_back_stays_on_the_website(url):
    target = local_path(url)
    # as a browser (and werkzeug's Location fix-up) resolves it against the current page
    assert urlsplit(urljoin(SITE, target)).netloc == "shop.example"
    assert target.startswith("/") and not target.startswith("//") and "\\" not in target.split("?")[0]
