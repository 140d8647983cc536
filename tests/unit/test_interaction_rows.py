"""The interaction batch rules, without a database."""
import datetime

import pytest

from odoo.addons.ecrm_core.timeline import rows

KNOWN_MODELS = {"res.partner", "sale.order", "utm.campaign"}
EXISTING = {"res.partner": {7, 8}, "sale.order": {42}, "utm.campaign": {3}}
TYPES = {"call_me": rows.TypeDefaults(11, None, "inbound"),
         "order_received": rows.TypeDefaults(12, None, None),
         "order_confirmed": rows.TypeDefaults(13, "other", "outbound")}


def good_row(**overrides):
    row = {"partner_id": 7, "channel": "phone", "interaction_type": "call_me"}
    row.update(overrides)
    return row


def messages(batch, existing=EXISTING):
    return [(p.index, p.message) for p in rows.validate(batch, existing, KNOWN_MODELS, TYPES)]


def test_a_valid_batch_has_no_problems():
    batch = [good_row(), good_row(partner_id=8, channel="eprocurement", interaction_type="order_received",
                                  res_model="sale.order", res_id=42, campaign_id=3, date="2026-11-01")]
    assert messages(batch) == []


@pytest.mark.parametrize("row, expected", [
    ({"channel": "phone", "interaction_type": "call_me"}, "missing partner_id"),
    (good_row(partner_id=999), "unknown partner 999"),
    (good_row(partner_id="7"), "partner_id must be a positive integer id"),
    (good_row(partner_id=True), "partner_id must be a positive integer id"),
    (good_row(channel="pigeon"), "unknown channel 'pigeon'"),
    ({"partner_id": 7, "interaction_type": "call_me"}, "missing channel"),
    ({"partner_id": 7, "interaction_type": "x"}, "unknown interaction_type 'x'; an eCRM Manager"),
    (good_row(interaction_type="call_mee"), "unknown interaction_type 'call_mee' (did you mean call_me?)"),
    (good_row(interaction_type="zzz"), "unknown interaction_type 'zzz'; an eCRM Manager adds types"),
    (good_row(direction="sideways"), "unknown direction 'sideways'"),
    (good_row(interaction_type="Order Received"), "must be a lower-case code"),
    ({"partner_id": 7, "channel": "phone"}, "missing interaction_type"),
    (good_row(date="31/12/2026"), "is not a date"),
    (good_row(res_model="sale.order"), "res_model and res_id go together"),
    (good_row(res_id=42), "res_model and res_id go together"),
    (good_row(res_model="no.such.model", res_id=1), "unknown source model 'no.such.model'"),
    (good_row(res_model="sale.order", res_id=41), "source document sale.order,41 does not exist"),
    (good_row(campaign_id=4), "unknown campaign 4"),
    (good_row(subject=["not", "text"]), "subject must be text"),
    (good_row(colour="red"), "unknown field(s) colour"),
    ("not a dict", "is not a dictionary"),
])
def test_each_bad_row_is_named_with_a_reason(row, expected):
    found = messages([good_row(), row])
    assert found, "row should have been rejected"
    assert all(index == 1 for index, _ in found)
    assert any(expected in message for _, message in found), found


def test_every_bad_row_is_reported_not_only_the_first():
    batch = [good_row(partner_id=999), good_row(), good_row(channel="pigeon"), {"channel": "phone"}]
    assert sorted({index for index, _ in messages(batch)}) == [0, 2, 3]


@pytest.mark.parametrize("batch, expected", [
    ([], "the batch is empty"),
    ({"partner_id": 7}, "expected a list of dictionaries"),
    ([good_row()] * (rows.MAX_ROWS + 1), "split the batch"),
])
def test_batch_level_problems(batch, expected):
    (problem,) = rows.validate(batch, EXISTING, KNOWN_MODELS, TYPES)
    assert expected in problem.message


def test_referenced_ids_collects_per_model_and_ignores_garbage():
    batch = [good_row(campaign_id=3), good_row(partner_id=8, res_model="sale.order", res_id=42),
             "garbage", good_row(partner_id="x", res_model=5, res_id=1)]
    assert rows.referenced_ids(batch) == {
        "res.partner": {7, 8}, "utm.campaign": {3}, "sale.order": {42}}
    assert rows.referenced_ids(None) == {}


def test_format_problems_names_rows_and_says_nothing_was_written():
    text = rows.format_problems([rows.Problem(0, "unknown partner 9"), rows.Problem(3, "missing channel")])
    assert text.splitlines() == [
        "2 interaction row(s) rejected, nothing was logged:",
        "row 0: unknown partner 9",
        "row 3: missing channel",
    ]


@pytest.mark.parametrize("value, expected", [
    ("2026-11-01", "2026-11-01 00:00:00"),
    ("2026-11-01 14:05:09", "2026-11-01 14:05:09"),
    (datetime.datetime(2026, 1, 2, 3, 4, 5), "2026-01-02 03:04:05"),
    (datetime.date(2026, 1, 2), "2026-01-02 00:00:00"),
])
def test_parse_date(value, expected):
    assert rows.parse_date(value) == expected


def test_normalise_applies_defaults_and_a_readable_subject():
    defaults = {"company_id": 1, "user_id": 2, "date": "2026-11-22 10:00:00", "direction": "inbound"}
    values = rows.normalise(good_row(interaction_type="order_received", date="2026-11-01", direction="outbound"),
                            defaults, TYPES)
    assert values == {
        "partner_id": 7, "channel": "phone", "interaction_type": "order_received", "type_id": 12,
        "date": "2026-11-01 00:00:00", "direction": "outbound", "company_id": 1, "user_id": 2,
        "subject": "Order received",
    }
    assert rows.normalise(good_row(subject="Rang twice"), defaults, TYPES)["subject"] == "Rang twice"


def test_a_row_without_channel_takes_its_types_usual_channel_and_direction():
    row = {"partner_id": 7, "interaction_type": "order_confirmed"}
    assert messages([row]) == []
    defaults = {"company_id": 1, "user_id": 2, "date": "2026-11-22 10:00:00", "direction": "inbound"}
    values = rows.normalise(row, defaults, TYPES)
    assert (values["channel"], values["direction"], values["type_id"]) == ("other", "outbound", 13)
    # what the row gives wins over the type's usual values
    values = rows.normalise(dict(row, channel="email", direction="inbound"), defaults, TYPES)
    assert (values["channel"], values["direction"]) == ("email", "inbound")
