"""Clickstream helpers on plain data: what a path is, and what a session did."""
import re
from collections import OrderedDict, namedtuple

from .engine import normalise_path

PRODUCT_PATH = re.compile(r"^/shop/product/(?:[^/]*-)?(\d+)(?:/|$)")
CATEGORY_PATH = re.compile(r"^/shop/category/(?:[^/]*-)?(\d+)(?:/|$)")
CART_PATHS = ("/shop/cart", "/shop/checkout", "/shop/payment")
ORDER_DONE_PATHS = ("/shop/confirmation",)
SKIPPED_PREFIXES = ("/web", "/longpolling", "/xmlrpc", "/jsonrpc", "/website/", "/ecrm/", "/shop/cart/update_json",
                    "/shop/get_unit_price", "/payment/", "/report/", "/sitemap", "/robots.txt", "/favicon")
UTM_KEYS = ("source", "medium", "campaign")
# GET pages that may commit business writes of their own (order validation): their
# transaction keeps a durable commit even though the page view itself need not.
DURABLE_PREFIXES = ("/shop/payment", "/shop/confirmation", "/my/", "/web")

SessionSummary = namedtuple("SessionSummary", "session path entry exit reached_cart ordered")


def trackable(path, method="GET", do_not_track=False, consent=False):
    """Only page GETs by consenting visitors who do not ask not to be tracked."""
    if do_not_track or not consent or method != "GET" or not path:
        return False
    return not path.startswith(SKIPPED_PREFIXES)


def may_commit_lazily(path):
    """A page view may be lost in a crash; a business write may not."""
    return not (path or "").startswith(DURABLE_PREFIXES)


def product_template_id(path):
    match = PRODUCT_PATH.match(path or "")
    return int(match.group(1)) if match else None


def category_id(path):
    match = CATEGORY_PATH.match(path or "")
    return int(match.group(1)) if match else None


def utm_from_query(args):
    """UTM of the current visit from query-string arguments (a dict-like)."""
    return {key: (args.get("utm_" + key) or "").strip()[:64] or None for key in UTM_KEYS}


def summarise_sessions(views):
    """views: iterable of (session, timestamp, path). Returns one SessionSummary per session."""
    sessions = OrderedDict()
    for session, timestamp, path in sorted(views, key=lambda view: (view[0], view[1])):
        sessions.setdefault(session, []).append(normalise_path(path))
    summaries = []
    for session, path in sessions.items():
        reached_cart = any(step.startswith(CART_PATHS) for step in path)
        ordered = any(step.startswith(ORDER_DONE_PATHS) for step in path)
        summaries.append(SessionSummary(session, tuple(path), path[0], path[-1], reached_cart, ordered))
    return summaries


def cart_without_order_paths(views):
    return [summary.path for summary in summarise_sessions(views) if summary.reached_cart and not summary.ordered]
