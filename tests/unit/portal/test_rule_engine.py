"""Rule matching on plain profiles: every condition must hold, priorities, windows, A/B split."""
import datetime

import pytest

from odoo.addons.ecrm_portal.personalisation import engine

TODAY = datetime.date(2026, 11, 22)


def rule(rule_id=1, priority=10, conditions=None, actions=None, **extra):
    base = {"id": rule_id, "name": "r%d" % rule_id, "priority": priority, "split_percent": 100,
            "conditions": conditions or {}, "actions": actions or {"placement": "home_banner", "content": "<p>x</p>"}}
    base.update(extra)
    return base


def profile(**extra):
    base = {"visitor_key": "v-1", "logged_in": False, "partner_rule_ids": set(), "segment_ids": set(),
            "purchased_category_ids": set(), "viewed_category_days": {}, "interest_category_ids": set(),
            "pricelist_id": 1, "country_code": "GB", "visit_count": 1, "utm": {}, "today": TODAY}
    base.update(extra)
    return base


@pytest.mark.parametrize("conditions, visitor, expected", [
    ({}, profile(), True),
    ({"audience": "anonymous"}, profile(), True),
    ({"audience": "anonymous"}, profile(logged_in=True), False),
    ({"audience": "logged_in"}, profile(logged_in=True), True),
    ({"has_partner_domain": True}, profile(partner_rule_ids={1}), True),
    ({"has_partner_domain": True}, profile(partner_rule_ids={2}), False),
    ({"segment_ids": [5]}, profile(segment_ids={5, 6}), True),
    ({"segment_ids": [5]}, profile(), False),
    ({"purchased_category_ids": [3]}, profile(purchased_category_ids={3}), True),
    ({"purchased_category_ids": [3]}, profile(purchased_category_ids={4}), False),
    ({"viewed_category_ids": [3], "viewed_days": 7}, profile(viewed_category_days={3: 2}), True),
    ({"viewed_category_ids": [3], "viewed_days": 7}, profile(viewed_category_days={3: 8}), False),
    ({"interest_category_ids": [9]}, profile(interest_category_ids={9}), True),
    ({"interest_category_ids": [9]}, profile(), False),
    ({"pricelist_ids": [1]}, profile(), True),
    ({"pricelist_ids": [2]}, profile(), False),
    ({"country_codes": ["gb"]}, profile(), True),
    ({"country_codes": ["FR"]}, profile(), False),
    ({"country_codes": ["GB"]}, profile(country_code=None), False),
    ({"min_visits": 3}, profile(visit_count=3), True),
    ({"min_visits": 3}, profile(visit_count=2), False),
    ({"max_visits": 1}, profile(visit_count=2), False),
    ({"utm_source": "NHS-Supply", "utm_medium": "email"},
     profile(utm={"source": "nhs-supply", "medium": "email"}), True),
    ({"utm_source": "nhs-supply", "utm_medium": "email"}, profile(utm={"source": "nhs-supply"}), False),
    ({"utm_campaign": "spring"}, profile(utm={"campaign": "autumn"}), False),
])
def test_each_condition(conditions, visitor, expected):
    assert engine.evaluate(rule(conditions=conditions), visitor).matched is expected


def test_all_conditions_must_match_and_reasons_name_the_failure():
    conditions = {"audience": "logged_in", "country_codes": ["GB"], "min_visits": 5}
    result = engine.evaluate(rule(conditions=conditions), profile(logged_in=True, visit_count=2))
    assert not result.matched
    failing = [check.condition for check in result.checks if not check.ok]
    assert failing == ["visit_count"]


def test_date_window():
    window = dict(date_from=datetime.date(2026, 11, 1), date_to=datetime.date(2026, 11, 30))
    assert engine.evaluate(rule(**window), profile()).matched
    assert not engine.evaluate(rule(**window), profile(today=datetime.date(2026, 12, 1))).matched
    assert not engine.evaluate(rule(**window), profile(today=datetime.date(2026, 10, 31))).matched


def test_highest_priority_takes_the_placement():
    low = rule(1, priority=5, actions={"placement": "home_banner", "content": "low"})
    high = rule(2, priority=50, actions={"placement": "home_banner", "content": "high"})
    other = rule(3, priority=1, actions={"placement": "shop_top", "content": "shop"})
    decision = engine.decide([low, high, other], profile())
    assert decision.block("home_banner")["id"] == 2
    assert decision.block("shop_top")["id"] == 3
    assert set(decision.impressions) == {2, 3}


def test_split_bucket_is_stable_and_roughly_fair():
    assert engine.split_bucket(7, "abc") == engine.split_bucket(7, "abc")
    treated = sum(engine.split_bucket(7, "visitor-%d" % i) < 30 for i in range(4000))
    assert 1000 < treated < 1400


def test_control_group_sees_default_but_is_counted():
    half = rule(1, split_percent=50)
    outcomes = {}
    for i in range(200):
        decision = engine.decide([half], profile(visitor_key="v%d" % i))
        outcomes.setdefault(decision.impressions[1], []).append(decision.block("home_banner"))
    assert set(outcomes) == {"treatment", "control"}
    assert all(block is None for block in outcomes["control"])
    assert all(block["id"] == 1 for block in outcomes["treatment"])


def test_control_group_does_not_let_lower_rule_take_the_slot():
    high = rule(1, priority=50, split_percent=0)
    low = rule(2, priority=1)
    decision = engine.decide([high, low], profile())
    assert decision.block("home_banner") is None
    assert decision.impressions == {1: "control"}


def test_redirect_and_pricelist_actions():
    redirecting = rule(1, actions={"redirect_from": "/offers/", "redirect_to": "/shop?category=4", "pricelist_id": 9})
    decision = engine.decide([redirecting], profile())
    assert decision.redirects == {"/offers": "/shop?category=4"}
    assert decision.pricelist_id == 9


def test_promoted_products_fixed_and_top_sellers():
    fixed = rule(1, actions={"promote": "fixed", "product_ids": [11, 12]})
    top = rule(2, actions={"promote": "top_sellers"})
    visitor = profile(viewed_category_counts={4: 2, 5: 7})
    assert engine.promoted_product_ids(fixed, visitor, {}) == [11, 12]
    assert engine.promoted_product_ids(top, visitor, {5: [30, 31], 4: [40]}) == [30, 31]
    assert engine.promoted_product_ids(top, profile(), {5: [30]}) == []
    assert engine.decide([fixed, top], visitor).promotion["id"] == 1


def test_non_matching_rule_records_no_impression():
    decision = engine.decide([rule(conditions={"audience": "logged_in"})], profile())
    assert decision.impressions == {} and decision.block("home_banner") is None


def test_a_failing_rule_is_reported_and_skipped():
    broken = rule(1, priority=90, conditions={"min_visits": "three"})  # str vs int comparison raises
    healthy = rule(2, priority=1)
    failures = []
    decision = engine.decide([broken, healthy], profile(), on_error=lambda r, exc: failures.append(r["id"]))
    assert failures == [1]
    assert decision.block("home_banner")["id"] == 2
    with pytest.raises(TypeError):
        engine.decide([broken], profile())


@pytest.mark.parametrize("conditions", [
    {}, {"audience": "logged_in"}, {"has_partner_domain": True}, {"segment_ids": [5]},
    {"viewed_category_ids": [3], "viewed_days": 7}, {"country_codes": ["FR"]}, {"min_visits": 3},
    {"utm_source": "nhs-supply"}, {"audience": "anonymous", "country_codes": ["gb"], "max_visits": 4},
])
@pytest.mark.parametrize("visitor", [
    profile(), profile(logged_in=True, partner_rule_ids={1}, segment_ids={5}, visit_count=3),
    profile(viewed_category_days={3: 2}, country_code="fr", utm={"source": "NHS-Supply"}),
    profile(today=datetime.date(2027, 1, 1)),
])
def test_fast_match_agrees_with_the_explained_evaluation(conditions, visitor):
    window = dict(date_from=datetime.date(2026, 11, 1), date_to=datetime.date(2026, 12, 31))
    subject = rule(conditions=conditions, **window)
    assert engine.matches(subject, visitor) is engine.evaluate(subject, visitor).matched


def test_rules_whose_slots_are_taken_are_not_evaluated_unless_explaining():
    high = rule(1, priority=50)
    low = rule(2, priority=1, conditions={"min_visits": "three"})  # would raise if evaluated
    decision = engine.decide([high, low], profile())
    assert decision.block("home_banner")["id"] == 1 and decision.impressions == {1: "treatment"}
    failures = []
    explained = engine.decide([high, low], profile(), on_error=lambda r, exc: failures.append(r["id"]), explain=True)
    assert failures == [2] and [e.rule["id"] for e in explained.evaluations] == [1]


def test_claimed_slots_name_the_rule_and_its_arm():
    held = rule(1, priority=9, split_percent=0, actions={"pricelist_id": 4, "promote": "fixed", "product_ids": [7]})
    decision = engine.decide([held], profile())
    assert decision.claimed(("pricelist",)) == (held, "control")
    assert decision.claimed(("promotion",)) == (held, "control")
    assert decision.claimed(("block", "cart")) == (None, None)
    assert decision.pricelist_id is None and decision.promotion is None


def test_rule_set_knows_which_visitor_facts_to_look_up():
    rules = engine.RuleSet([
        rule(1, conditions={"has_partner_domain": True, "country_codes": ["GB"]}),
        rule(2, priority=90, conditions={"viewed_category_ids": [3], "viewed_days": 90}),
        rule(3, actions={"promote": "top_sellers", "redirect_from": "/a", "redirect_to": "/b"}),
    ])
    assert [r["id"] for r in rules] == [2, 1, 3]
    assert rules.needs == {"partner_domain", "country", "viewed"}
    assert rules.viewed_days == 90
    assert rules.has_redirects and not rules.has_pricelists
    assert engine.RuleSet([rule(4, conditions={"pricelist_ids": [1], "interest_category_ids": [2]})]).needs == {
        "pricelist", "interests"}
    empty = engine.RuleSet([])
    assert empty == () and empty.needs == frozenset() and empty.viewed_days == 30


def test_reasons_name_the_records_not_their_ids():
    conditions = {"interest_category_ids": [9], "segment_ids": [4, 5]}
    names = {"category": {9: "Hoists"}, "segment": {4: "Care homes"}}
    result = engine.evaluate(rule(conditions=conditions), profile(names=names))
    reasons = {check.condition: check.reason for check in result.checks}
    assert reasons["interests"] == "has not declared an interest in Hoists"
    assert reasons["segments"] == "not in segment #5 or Care homes", "an id without a name stays findable"
