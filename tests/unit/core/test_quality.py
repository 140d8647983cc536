import pytest

from odoo.addons.ecrm_core.quality import checks, normalise, score


@pytest.mark.parametrize("raw, expected", [
    ("John.Smith+crm@GoogleMail.com", "johnsmith@gmail.com"),
    ("j.smith+news@outlook.com", "j.smith@outlook.com"),
    ("j.smith+news@energist.co.uk", "j.smith+news@energist.co.uk"),  # unknown provider: keep tags
    ("  Priya@Example.NHS.uk ", "priya@example.nhs.uk"),
    ("not an email", None),
    (None, None),
])
def test_normalise_email(raw, expected):
    assert normalise.normalise_email(raw) == expected


@pytest.mark.parametrize("raw", ["01422 300400", "+44 1422 300400", "(01422) 300-400", "0044 1422 300400"])
def test_phone_formats_collapse_to_e164(raw):
    assert normalise.normalise_phone(raw) == "+441422300400"


def test_phone_that_is_not_a_number():
    assert normalise.normalise_phone("call reception") is None
    assert normalise.normalise_phone("12") is None


@pytest.mark.parametrize("a, b", [
    ("The Oaks Residential Care Limited", "OAKS RESIDENTIAL CARE LTD"),
    ("Pennine Stairlifts Ltd.", "pennine stairlifts"),
    ("Smith & Sons plc", "Smith and Sons"),
    ("Siân Pritchard", "Sian Pritchard"),
])
def test_name_variants_normalise_alike(a, b):
    assert normalise.normalise_name(a) == normalise.normalise_name(b)


def test_postcode_and_vat():
    assert normalise.normalise_postcode("hx35ax") == "HX3 5AX"
    assert normalise.normalise_postcode("not a postcode") is None
    assert normalise.normalise_vat("gb 123 4567 82") == "GB123456782"
    assert normalise.normalise_vat("123456782") == "GB123456782"


@pytest.mark.parametrize("kind, value, ok", [
    ("required", "", False), ("required", "x", True),
    ("email", "sales@caldermobility.co.uk", True), ("email", "sales@caldermobility", False),
    ("email", "", True),
    ("uk_postcode", "HX3 5AX", True), ("uk_postcode", "12345", False),
    ("uk_phone", "01422 300400", True), ("uk_phone", "01422 30", False),
    ("vat", "GB123456782", True), ("vat", "GB123456789", False),
])
def test_rule_kinds(kind, value, ok):
    assert checks.check_value(kind, value) is ok


def test_regex_rule_and_unknown_kind():
    assert checks.check_value("regex", "C12345", r"^C\d{5}$")
    assert not checks.check_value("regex", "12345", r"^C\d{5}$")
    with pytest.raises(ValueError):
        checks.check_value("telepathy", "x")


@pytest.mark.parametrize("name, email, reason", [
    ("Mickey Mouse", None, "placeholder name"),
    ("test", None, "placeholder name"),
    ("Test 123", None, "placeholder name"),
    ("Aaaaaargh Ltd", None, "repeated characters"),
    ("asdfgh", None, "placeholder name"),
    ("Qwerty Stores", None, "keyboard sequence"),
    ("Doris Lumb", "doris@mailinator.com", "disposable e-mail"),
    ("Doris Lumb", "test@example.co.uk", "placeholder e-mail"),
])
def test_junk_is_recognised(name, email, reason):
    assert any(reason in found for found in checks.junk_reasons(name, email))


def test_real_customers_are_not_junk():
    for name, email in [("Kirklees Council", "equipment.services@kirklees.gov.uk"), ("Doris Lumb", None),
                        ("Harold Greenwood", "harold.greenwood@example.com"), ("Sheffield Teaching Hospitals", None)]:
        assert checks.junk_reasons(name, email) == []


def test_score_bands():
    complete = {"email": "a@b.co", "street": "1 High St", "zip": "HX1 1AA", "city": "Halifax", "country": 1}
    assert score.quality_score(complete) == 100
    assert score.quality_score(dict(complete, email=None)) == 75
    assert score.quality_score(complete, warnings=["bad postcode"]) == 90
    assert score.quality_score({}, warnings=["x"] * 3, junk=["placeholder"]) == 0
    assert [score.band(v) for v in (0, 49, 50, 79, 80, 100)] == ["poor", "poor", "fair", "fair", "good", "good"]
