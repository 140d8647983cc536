"""Format checks behind the configurable validation rules, and placeholder/junk detection."""
import re

import phonenumbers
from stdnum.eu import vat as eu_vat

from .normalise import UK_POSTCODE, name_tokens

EMAIL = re.compile(r"^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
RULE_KINDS = ("required", "regex", "email", "uk_postcode", "uk_phone", "vat")

PLACEHOLDER_NAMES = {
    "mickey mouse", "minnie mouse", "donald duck", "joe bloggs", "john doe", "jane doe", "test",
    "test test", "testing", "asdf", "asdfgh", "qwerty", "xxx", "abc", "aaa", "na", "n a", "none",
    "unknown", "no name", "customer", "dummy", "fake", "sample", "foo", "bar", "foo bar", "blah",
}
DISPOSABLE_DOMAINS = {
    "mailinator.com", "guerrillamail.com", "guerrillamail.net", "sharklasers.com", "10minutemail.com",
    "yopmail.com", "trashmail.com", "tempmail.com", "temp-mail.org", "throwawaymail.com",
    "getnada.com", "maildrop.cc", "dispostable.com", "fakeinbox.com", "mailnesia.com",
}
PLACEHOLDER_EMAIL_LOCALS = {"test", "asdf", "noemail", "none", "no", "nobody", "fake", "dummy", "xxx"}
KEYBOARD_RUNS = ("qwert", "asdfg", "zxcvb", "12345", "abcde")


def check_value(kind, value, pattern=None):
    """True when ``value`` passes a rule of ``kind``; empty values pass every kind but 'required'."""
    if kind == "required":
        return bool(value and str(value).strip())
    if not value:
        return True
    value = str(value).strip()
    if kind == "email":
        return bool(EMAIL.match(value))
    if kind == "uk_postcode":
        return bool(UK_POSTCODE.match(re.sub(r"\s+", "", value).upper()))
    if kind == "uk_phone":
        try:
            return phonenumbers.is_valid_number(phonenumbers.parse(value, "GB"))
        except phonenumbers.NumberParseException:
            return False
    if kind == "vat":
        compact = re.sub(r"[^A-Za-z0-9]", "", value).upper()
        return eu_vat.is_valid(compact) or eu_vat.is_valid("GB" + compact)
    if kind == "regex":
        return bool(re.search(pattern or "", value))
    raise ValueError("unknown rule kind %r" % kind)


def junk_reasons(name=None, email=None):
    """Why a record looks like a placeholder or keyboard junk (empty list if it does not)."""
    reasons = []
    normalised = " ".join(name_tokens(name)) if name else ""
    lowered = (name or "").lower()
    if normalised in PLACEHOLDER_NAMES or re.fullmatch(r"(test\s*)+\d*", normalised or "-"):
        reasons.append("placeholder name %r" % name)
    if name and re.search(r"(.)\1{3,}", lowered.replace(" ", "")):
        reasons.append("repeated characters in name")
    if name and any(run in lowered.replace(" ", "") for run in KEYBOARD_RUNS):
        reasons.append("keyboard sequence in name")
    if email and "@" in email:
        local, _, domain = email.strip().lower().rpartition("@")
        if domain in DISPOSABLE_DOMAINS:
            reasons.append("disposable e-mail domain %s" % domain)
        if local in PLACEHOLDER_EMAIL_LOCALS or domain in ("example.invalid", "test.com", "none.com"):
            reasons.append("placeholder e-mail address")
    return reasons
