"""Rule matching on plain visitor profiles: no Odoo import, plain data in and out.

A *profile* describes the current visitor (dict):
    visitor_key        stable id used for the A/B split (cookie id, or "partner:<id>")
    logged_in          bool
    partner_rule_ids   ids of the rules whose partner domain matched this partner
    segment_ids        ecrm.segment ids the partner belongs to (empty without ecrm_marketing)
    purchased_category_ids  set of product category ids bought
    viewed_category_days    {category_id: days since last viewed}
    viewed_category_counts  {category_id: views}, for "top sellers of the most-viewed category"
    interest_category_ids   categories the customer declared in /my/preferences
    names              {"category" / "segment" / "pricelist": {id: name}}, for the reasons only
    pricelist_id, country_code, visit_count
    utm                {"source": str, "medium": str, "campaign": str} of the current visit
    today              datetime.date

A compiled *rule* (dict): id, name, priority (higher wins), date_from/date_to
(datetime.date or None), split_percent (share that gets the treatment, 100 = no
control group), conditions (dict, see CONDITIONS) and actions (dict:
placement, content, cta_url, promote, product_ids, redirect_from, redirect_to,
pricelist_id). The Odoo layer caches a website's rules as a RuleSet, which also says
which profile facts the rules read, so that a page looks up nothing else.
"""
import hashlib
from collections import namedtuple

PLACEMENTS = ("home_banner", "shop_top", "product_aside", "cart")
AUDIENCES = ("any", "logged_in", "anonymous")

Check = namedtuple("Check", "condition ok reason")
Evaluation = namedtuple("Evaluation", "rule matched variant checks")


def _overlap(wanted, have):
    return bool(set(wanted) & set(have or ()))


def _named(profile, kind, ids):
    """The records' names for a reason a person reads ("Hoists or Stairlifts"); an id without one as #id."""
    names = (profile.get("names") or {}).get(kind) or {}
    return " or ".join(sorted(names.get(record_id) or "#%s" % record_id for record_id in ids)) or "-"


# One Condition per condition a rule sets: ``holds(profile)`` decides, ``explain(profile, ok)``
# says why for the preview. Built once per compiled rule (see conditions_of), so a page
# render runs only the predicates of the conditions each rule really has.
Condition = namedtuple("Condition", "name holds explain")


def _partner_domain(rule, conditions):
    if not conditions.get("has_partner_domain"):
        return None
    rule_id = rule["id"]
    return Condition("partner_domain", lambda profile: rule_id in (profile.get("partner_rule_ids") or ()),
                     lambda profile, ok: "the customer %s the customer filter" % ("matches" if ok else "does not match"))


def _segments(rule, conditions):
    wanted = frozenset(conditions.get("segment_ids") or ())
    if not wanted:
        return None
    return Condition("segments", lambda profile: _overlap(wanted, profile.get("segment_ids")),
                     lambda profile, ok: "%s segment %s" % ("in" if ok else "not in", _named(profile, "segment", wanted)))


def _purchased(rule, conditions):
    wanted = frozenset(conditions.get("purchased_category_ids") or ())
    if not wanted:
        return None
    return Condition("purchased_categories", lambda profile: _overlap(wanted, profile.get("purchased_category_ids")),
                     lambda profile, ok: "has %s from %s" % ("bought" if ok else "not bought",
                                                             _named(profile, "category", wanted)))


def _viewed(rule, conditions):
    wanted = frozenset(conditions.get("viewed_category_ids") or ())
    if not wanted:
        return None
    days = conditions.get("viewed_days") or 30

    def holds(profile):
        seen = profile.get("viewed_category_days") or {}
        return any(category in seen and seen[category] <= days for category in wanted)
    return Condition("viewed_categories", holds, lambda profile, ok: "%s %s in the last %d days" % (
        "viewed" if ok else "did not view", _named(profile, "category", wanted), days))


def _interests(rule, conditions):
    wanted = frozenset(conditions.get("interest_category_ids") or ())
    if not wanted:
        return None
    return Condition("interests", lambda profile: _overlap(wanted, profile.get("interest_category_ids")),
                     lambda profile, ok: "%s an interest in %s" % ("declared" if ok else "has not declared",
                                                                   _named(profile, "category", wanted)))


def _pricelist(rule, conditions):
    wanted = frozenset(conditions.get("pricelist_ids") or ())
    if not wanted:
        return None
    return Condition("pricelist", lambda profile: profile.get("pricelist_id") in wanted,
                     lambda profile, ok: "%s pricelist %s" % ("on" if ok else "not on",
                                                              _named(profile, "pricelist", wanted)))


def _country(rule, conditions):
    wanted = frozenset(code.upper() for code in conditions.get("country_codes") or ())
    if not wanted:
        return None
    return Condition("country", lambda profile: (profile.get("country_code") or "").upper() in wanted,
                     lambda profile, ok: "country %s is %s %s" % (
                         (profile.get("country_code") or "").upper() or "unknown", "one of" if ok else "not one of",
                         ", ".join(sorted(wanted))))


def _audience(rule, conditions):
    audience = conditions.get("audience") or "any"
    if audience == "any":
        return None
    wanted = audience == "logged_in"
    return Condition("audience", lambda profile: bool(profile.get("logged_in")) == wanted,
                     lambda profile, ok: "the visitor is %s" % ("logged in" if profile.get("logged_in") else "anonymous"))


def _visits(rule, conditions):
    low, high = conditions.get("min_visits"), conditions.get("max_visits")
    if not low and not high:
        return None

    def holds(profile):
        count = profile.get("visit_count") or 0
        return (not low or count >= low) and (not high or count <= high)
    return Condition("visit_count", holds, lambda profile, ok: "%d visits (the rule wants %s to %s)" % (
        profile.get("visit_count") or 0, low or 0, high or "any number"))


def _utm(rule, conditions):
    wanted = {key: conditions.get("utm_" + key).strip().lower() for key in ("source", "medium", "campaign")
              if conditions.get("utm_" + key)}
    if not wanted:
        return None

    def holds(profile):
        utm = profile.get("utm") or {}
        return all((utm.get(key) or "").strip().lower() == value for key, value in wanted.items())
    return Condition("utm", holds, lambda profile, ok: "the visit came with %s (the rule wants %s)" % (
        _utm_words({key: (profile.get("utm") or {}).get(key) for key in wanted}), _utm_words(wanted)))


def _utm_words(utm):
    return ", ".join("%s %s" % (key, value or "none") for key, value in sorted(utm.items()))


CONDITIONS = (_partner_domain, _segments, _purchased, _viewed, _interests, _pricelist, _country, _audience,
              _visits, _utm)


def conditions_of(rule):
    """The Conditions a rule sets, built once and kept on the (cached) compiled rule."""
    compiled = rule.get("_conditions")
    if compiled is None:
        conditions = rule.get("conditions") or {}
        compiled = rule["_conditions"] = tuple(
            condition for condition in (build(rule, conditions) for build in CONDITIONS) if condition)
    return compiled


# what a profile must hold for a rule's conditions / actions: the fact each one reads
FACTS = {"partner_domain": "partner_domain", "segments": "segments", "purchased_categories": "purchased",
         "viewed_categories": "viewed", "interests": "interests", "pricelist": "pricelist", "country": "country"}


def profile_needs(rules):
    """The visitor facts some rule reads, so that a page looks up nothing else."""
    needs = set()
    for rule in rules:
        try:
            conditions = conditions_of(rule)
        except Exception:  # noqa: B902 - decide() reports the broken rule through on_error
            continue
        needs.update(FACTS[condition.name] for condition in conditions if condition.name in FACTS)
        if (rule.get("actions") or {}).get("promote") == "top_sellers":
            needs.add("viewed")
    return frozenset(needs)


def viewed_window(rules):
    """Days of page views the rules look back on (the longest 'viewed within', 30 by default)."""
    return max([(rule.get("conditions") or {}).get("viewed_days") or 30 for rule in rules
                if (rule.get("conditions") or {}).get("viewed_category_ids")
                or (rule.get("actions") or {}).get("promote") == "top_sellers"] or [30])


class RuleSet(tuple):
    """A website's compiled rules in evaluation order, and what a page needs to decide them.

    Built once per worker and rule change (it is what the Odoo layer caches).
    """

    def __new__(cls, rules):
        self = super().__new__(cls, ordered(rules))
        self.needs = profile_needs(self)
        self.viewed_days = viewed_window(self)
        self.has_redirects = any(slot[0] == "redirect" for rule in self for slot in slots_of(rule))
        self.has_pricelists = any(slot[0] == "pricelist" for rule in self for slot in slots_of(rule))
        return self


def split_bucket(rule_id, visitor_key):
    """A stable 0..99 bucket per (rule, visitor): the same visitor stays in the same arm."""
    digest = hashlib.sha256(("%s:%s" % (rule_id, visitor_key)).encode("utf-8")).hexdigest()
    return int(digest[:8], 16) % 100


def in_date_window(rule, today):
    return (not rule.get("date_from") or rule["date_from"] <= today) and \
           (not rule.get("date_to") or today <= rule["date_to"])


def arm(rule, profile):
    """"treatment" or "control" for a visitor the rule matched."""
    split = rule.get("split_percent")
    split = 100 if split is None else split
    in_treatment = split >= 100 or split_bucket(rule["id"], profile.get("visitor_key") or "") < split
    return "treatment" if in_treatment else "control"


def evaluate(rule, profile):
    """Every condition the rule sets must hold. Returns an Evaluation with the reasons."""
    today = profile.get("today")
    if today is not None and not in_date_window(rule, today):
        check = Check("date_window", False, "outside %s..%s" % (rule.get("date_from"), rule.get("date_to")))
        return Evaluation(rule, False, None, [check])
    checks = []
    for condition in conditions_of(rule):
        ok = bool(condition.holds(profile))
        checks.append(Check(condition.name, ok, condition.explain(profile, ok)))
    matched = all(check.ok for check in checks)
    return Evaluation(rule, matched, arm(rule, profile) if matched else None, checks)


def matches(rule, profile):
    """evaluate(rule, profile).matched, without the reasons: stops at the first failing condition."""
    today = profile.get("today")
    if today is not None and not in_date_window(rule, today):
        return False
    return all(condition.holds(profile) for condition in conditions_of(rule))


def ordered(rules):
    return sorted(rules, key=lambda rule: (-(rule.get("priority") or 0), rule["id"]))


def slots_of(rule):
    """The parts of a page a rule's actions want: ("block", placement), ("promotion",), ..."""
    slots = rule.get("_slots")
    if slots is None:
        slots = rule["_slots"] = _slots(rule.get("actions") or {})
    return slots


def _slots(actions):
    slots = []
    if actions.get("placement") and actions.get("content"):
        slots.append(("block", actions["placement"]))
    if actions.get("promote") in ("fixed", "top_sellers"):
        slots.append(("promotion",))
    source = normalise_path(actions.get("redirect_from"))
    if source and actions.get("redirect_to"):
        slots.append(("redirect", source))
    if actions.get("pricelist_id"):
        slots.append(("pricelist",))
    return tuple(slots)


class Decision:
    """What the page shows: one rule per placement, promotions, redirect, pricelist.

    ``impressions`` maps rule id -> "treatment" / "control" for every rule that
    matched and claimed a slot; control-group visitors see the default page.
    ``evaluations`` holds every rule's Evaluation when decide() was asked to explain.
    """

    def __init__(self):
        self.claims = {}  # slot -> (rule, arm)
        self.impressions = {}
        self.evaluations = []

    def claimed(self, slot):
        """(rule, "treatment" / "control") that won a slot, or (None, None)."""
        return self.claims.get(slot, (None, None))

    def _treated(self, slot):
        rule, variant = self.claimed(slot)
        return rule if variant == "treatment" else None

    def block(self, placement):
        return self._treated(("block", placement))

    @property
    def blocks(self):
        return {slot[1]: rule for slot, (rule, variant) in self.claims.items()
                if slot[0] == "block" and variant == "treatment"}

    @property
    def promotion(self):
        return self._treated(("promotion",))

    @property
    def redirects(self):
        return {slot[1]: rule["actions"]["redirect_to"] for slot, (rule, variant) in self.claims.items()
                if slot[0] == "redirect" and variant == "treatment"}

    @property
    def pricelist_rule(self):
        return self._treated(("pricelist",))

    @property
    def pricelist_id(self):
        rule = self.pricelist_rule
        return rule["actions"]["pricelist_id"] if rule else None


def decide(rules, profile, on_error=None, explain=False):
    """Give each slot of the page to the highest-priority matching rule that wants it.

    A rule whose slots are all taken already is not evaluated (unless ``explain``,
    for the preview, which also keeps every rule's Evaluation). A rule that raises
    is skipped and handed to ``on_error(rule, exc)``; the other rules still decide.
    """
    decision = Decision()
    for rule in ordered(rules):
        free = [slot for slot in slots_of(rule) if slot not in decision.claims]
        if not free and not explain:
            continue
        try:
            if explain:
                evaluation = evaluate(rule, profile)
                decision.evaluations.append(evaluation)
                matched, variant = evaluation.matched, evaluation.variant
            else:
                matched = matches(rule, profile)
                variant = arm(rule, profile) if matched and free else None
        except Exception as exc:  # noqa: B902 - one bad rule must never take the page down
            if on_error is None:
                raise
            on_error(rule, exc)
            continue
        if matched and free:
            for slot in free:
                decision.claims[slot] = (rule, variant)
            decision.impressions[rule["id"]] = variant
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
