"""Rule matching on plain visitor profiles: no Odoo import, plain data in and out.

A *profile* describes the current visitor (dict):
    visitor_key        stable id used for the A/B split (cookie id, or "partner:<id>")
    logged_in          bool
    partner_rule_ids   ids of the rules whose partner domain matched this partner
    segment_ids        ecrm.segment ids the partner belongs to (empty without ecrm_marketing)
    purchased_category_ids  set of product category ids bought
    viewed_category_days    {category_id: days since last viewed}
    interest_category_ids   categories the customer declared in /my/preferences
    pricelist_id, country_code, visit_count
    utm                {"source": str, "medium": str, "campaign": str} of the current visit
    today              datetime.date

A compiled *rule* (dict): id, name, priority (higher wins), date_from/date_to
(datetime.date or None), split_percent (share that gets the treatment, 100 = no
control group), conditions (dict, see CONDITION_CHECKS) and actions (dict:
placement, content, promote, product_ids, redirect_from, redirect_to, pricelist_id).
"""
import hashlib
from collections import namedtuple

PLACEMENTS = ("home_banner", "shop_top", "product_aside", "cart")
AUDIENCES = ("any", "logged_in", "anonymous")

Check = namedtuple("Check", "condition ok reason")
Evaluation = namedtuple("Evaluation", "rule matched variant checks")


def _overlap(wanted, have):
    return bool(set(wanted) & set(have or ()))


def _check_partner_domain(rule, conditions, profile):
    if not conditions.get("has_partner_domain"):
        return None
    ok = rule["id"] in set(profile.get("partner_rule_ids") or ())
    return Check("partner_domain", ok, "customer %s the partner filter" % ("matches" if ok else "does not match"))


def _check_segments(rule, conditions, profile):
    wanted = conditions.get("segment_ids")
    if not wanted:
        return None
    ok = _overlap(wanted, profile.get("segment_ids"))
    return Check("segments", ok, "in segment %s" % sorted(wanted) if ok else "in none of segments %s" % sorted(wanted))


def _check_purchased(rule, conditions, profile):
    wanted = conditions.get("purchased_category_ids")
    if not wanted:
        return None
    ok = _overlap(wanted, profile.get("purchased_category_ids"))
    return Check("purchased_categories", ok, "has%s bought from categories %s" % ("" if ok else " not", sorted(wanted)))


def _check_viewed(rule, conditions, profile):
    wanted = conditions.get("viewed_category_ids")
    if not wanted:
        return None
    days = conditions.get("viewed_days") or 30
    seen = profile.get("viewed_category_days") or {}
    ok = any(category in seen and seen[category] <= days for category in wanted)
    return Check("viewed_categories", ok, "%s categories %s in the last %d days"
                 % ("viewed" if ok else "did not view", sorted(wanted), days))


def _check_interests(rule, conditions, profile):
    wanted = conditions.get("interest_category_ids")
    if not wanted:
        return None
    ok = _overlap(wanted, profile.get("interest_category_ids"))
    return Check("interests", ok, "declared %sinterest in %s" % ("" if ok else "no ", sorted(wanted)))


def _check_pricelist(rule, conditions, profile):
    wanted = conditions.get("pricelist_ids")
    if not wanted:
        return None
    ok = profile.get("pricelist_id") in set(wanted)
    return Check("pricelist", ok, "pricelist %s %s %s" % (profile.get("pricelist_id"), "in" if ok else "not in", sorted(wanted)))


def _check_country(rule, conditions, profile):
    wanted = conditions.get("country_codes")
    if not wanted:
        return None
    code = (profile.get("country_code") or "").upper()
    ok = code in {c.upper() for c in wanted}
    return Check("country", ok, "country %r %s %s" % (code or None, "in" if ok else "not in", sorted(wanted)))


def _check_audience(rule, conditions, profile):
    audience = conditions.get("audience") or "any"
    if audience == "any":
        return None
    logged_in = bool(profile.get("logged_in"))
    ok = logged_in == (audience == "logged_in")
    return Check("audience", ok, "visitor is %s" % ("logged in" if logged_in else "anonymous"))


def _check_visits(rule, conditions, profile):
    low, high = conditions.get("min_visits"), conditions.get("max_visits")
    if not low and not high:
        return None
    count = profile.get("visit_count") or 0
    ok = (not low or count >= low) and (not high or count <= high)
    return Check("visit_count", ok, "%d visits (wanted %s..%s)" % (count, low or 0, high or "any"))


def _check_utm(rule, conditions, profile):
    utm = profile.get("utm") or {}
    wanted = {key: conditions.get("utm_" + key) for key in ("source", "medium", "campaign")}
    wanted = {key: value for key, value in wanted.items() if value}
    if not wanted:
        return None
    ok = all((utm.get(key) or "").strip().lower() == value.strip().lower() for key, value in wanted.items())
    return Check("utm", ok, "utm %s, wanted %s" % ({k: utm.get(k) for k in wanted}, wanted))


CONDITION_CHECKS = (
    _check_partner_domain, _check_segments, _check_purchased, _check_viewed, _check_interests,
    _check_pricelist, _check_country, _check_audience, _check_visits, _check_utm,
)


def split_bucket(rule_id, visitor_key):
    """A stable 0..99 bucket per (rule, visitor): the same visitor stays in the same arm."""
    digest = hashlib.sha256(("%s:%s" % (rule_id, visitor_key)).encode("utf-8")).hexdigest()
    return int(digest[:8], 16) % 100


def in_date_window(rule, today):
    return (not rule.get("date_from") or rule["date_from"] <= today) and \
           (not rule.get("date_to") or today <= rule["date_to"])


def evaluate(rule, profile):
    """Every condition the rule sets must hold. Returns an Evaluation with the reasons."""
    checks = []
    today = profile.get("today")
    if today is not None and not in_date_window(rule, today):
        checks.append(Check("date_window", False, "outside %s..%s" % (rule.get("date_from"), rule.get("date_to"))))
        return Evaluation(rule, False, None, checks)
    conditions = rule.get("conditions") or {}
    for check in CONDITION_CHECKS:
        result = check(rule, conditions, profile)
        if result is not None:
            checks.append(result)
    matched = all(check.ok for check in checks)
    variant = None
    if matched:
        split = rule.get("split_percent")
        split = 100 if split is None else split
        in_treatment = split >= 100 or split_bucket(rule["id"], profile.get("visitor_key") or "") < split
        variant = "treatment" if in_treatment else "control"
    return Evaluation(rule, matched, variant, checks)


def ordered(rules):
    return sorted(rules, key=lambda rule: (-(rule.get("priority") or 0), rule["id"]))


class Decision:
    """What the page shows: one rule per placement, promotions, redirect, pricelist.

    ``impressions`` maps rule id -> "treatment" / "control" for every rule that
    matched and claimed a slot; control-group visitors see the default page.
    """

    def __init__(self):
        self.blocks = {}
        self.promotion = None
        self.redirects = {}
        self.pricelist_id = None
        self.impressions = {}
        self.evaluations = []

    def block(self, placement):
        return self.blocks.get(placement)


def decide(rules, profile, on_error=None):
    """Apply the highest-priority matching rule to each action slot.

    A rule that raises is skipped and handed to ``on_error(rule, exc)``; the
    other rules still decide the page.
    """
    decision = Decision()
    for rule in ordered(rules):
        try:
            evaluation = evaluate(rule, profile)
        except Exception as exc:  # noqa: B902 - one bad rule must never take the page down
            if on_error is None:
                raise
            on_error(rule, exc)
            continue
        decision.evaluations.append(evaluation)
        if not evaluation.matched:
            continue
        actions = rule.get("actions") or {}
        claimed = False
        placement = actions.get("placement")
        if placement and actions.get("content") and placement not in decision.blocks:
            decision.blocks[placement] = rule if evaluation.variant == "treatment" else None
            claimed = True
        if actions.get("promote") in ("fixed", "top_sellers") and decision.promotion is None:
            decision.promotion = rule if evaluation.variant == "treatment" else False
            claimed = True
        source = normalise_path(actions.get("redirect_from"))
        if source and actions.get("redirect_to") and source not in decision.redirects:
            decision.redirects[source] = actions["redirect_to"] if evaluation.variant == "treatment" else None
            claimed = True
        if actions.get("pricelist_id") and decision.pricelist_id is None:
            decision.pricelist_id = actions["pricelist_id"] if evaluation.variant == "treatment" else False
            claimed = True
        if claimed:
            decision.impressions[rule["id"]] = evaluation.variant
    decision.blocks = {key: rule for key, rule in decision.blocks.items() if rule}
    decision.redirects = {key: target for key, target in decision.redirects.items() if target}
    decision.promotion = decision.promotion or None
    decision.pricelist_id = decision.pricelist_id or None
    return decision


def promoted_product_ids(rule, profile, top_sellers_by_category, limit=4):
    """Fixed list, or the best sellers of the visitor's most-viewed category."""
    actions = rule.get("actions") or {}
    if actions.get("promote") == "fixed":
        return list(actions.get("product_ids") or ())[:limit]
    category = most_viewed_category(profile)
    if category is None:
        return []
    return list(top_sellers_by_category.get(category, ()))[:limit]


def most_viewed_category(profile):
    counts = profile.get("viewed_category_counts") or {}
    if not counts:
        return None
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[0][0]


def normalise_path(path):
    if not path:
        return None
    path = path.strip().split("?")[0].split("#")[0]
    if not path.startswith("/"):
        path = "/" + path
    return path.rstrip("/") or "/"
