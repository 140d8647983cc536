"""Canonical forms of the identifying fields, so that variants compare equal."""
import re
import unicodedata

import phonenumbers

# Providers whose mailboxes ignore dots and/or +tags in the local part; only for
# these is folding "safe" (anywhere else j.smith and jsmith may be two people).
DOT_BLIND_DOMAINS = {"gmail.com", "googlemail.com"}
PLUS_TAG_DOMAINS = DOT_BLIND_DOMAINS | {
    "outlook.com", "hotmail.com", "hotmail.co.uk", "live.com", "live.co.uk", "icloud.com",
    "me.com", "protonmail.com", "proton.me", "fastmail.com"}
DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}

LEGAL_WORDS = {"ltd", "limited", "plc", "llp", "lp", "inc", "incorporated", "co", "company", "cic",
               "uk", "gb", "group", "the"}
UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


def normalise_email(email):
    if not email or "@" not in email:
        return None
    local, _, domain = email.strip().lower().rpartition("@")
    domain = DOMAIN_ALIASES.get(domain, domain)
    if domain in PLUS_TAG_DOMAINS:
        local = local.split("+", 1)[0]
    if domain in DOT_BLIND_DOMAINS:
        local = local.replace(".", "")
    return "%s@%s" % (local, domain) if local and domain else None


def normalise_phone(phone, region="GB"):
    """E.164 (+441422300400), assuming ``region`` for national numbers; None if not a number."""
    if not phone:
        return None
    try:
        number = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def strip_accents(text):
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def name_tokens(name):
    """Lower-case words without punctuation, accents, '&', or legal-form words."""
    if not name:
        return []
    text = strip_accents(name).lower().replace("&", " and ")
    words = re.findall(r"[a-z0-9]+", text)
    return [word for word in words if word not in LEGAL_WORDS]


def normalise_name(name):
    """'The Oaks Residential Care Limited' -> 'oaks residential care'."""
    return " ".join(name_tokens(name)) or None


def normalise_postcode(postcode):
    """'hx3 5ax' -> 'HX3 5AX'; None when it is not a UK postcode shape."""
    if not postcode:
        return None
    compact = re.sub(r"\s+", "", postcode).upper()
    match = UK_POSTCODE.match(compact)
    return "%s %s" % match.groups() if match else None


def normalise_vat(vat):
    """'gb 123 4567 82' -> 'GB123456782'; a bare 9 or 12 digit number is taken as GB."""
    if not vat:
        return None
    compact = re.sub(r"[^A-Z0-9]", "", vat.upper())
    if re.fullmatch(r"[0-9]{9}|[0-9]{12}", compact):
        compact = "GB" + compact
    return compact or None
