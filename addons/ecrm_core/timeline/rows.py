"""Validation and normalisation of interaction rows for ``log`` / ``log_many``.

A batch is accepted whole or not at all, so every row is checked first and all
problems are reported together, each naming its row by index.
"""
import datetime
import difflib
import functools
import re
from collections import namedtuple

CHANNELS = (
    "email", "phone", "letter", "fax", "web_form", "portal", "chat",
    "meeting", "sms", "eprocurement", "ledger", "other",
)
DIRECTIONS = ("inbound", "outbound")
TYPE_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_ROWS = 10000

# Row keys that point at other records, and the model each one points at.
REFERENCES = {
    "partner_id": "res.partner",
    "campaign_id": "utm.campaign",
    "medium_id": "utm.medium",
    "source_id": "utm.source",
    "company_id": "res.company",
    "user_id": "res.users",
}
TEXT_FIELDS = ("subject", "body", "res_model", "source_key")
MAX_SOURCE_KEY = 255
ALLOWED_KEYS = frozenset(REFERENCES) | frozenset(TEXT_FIELDS) | {
    "channel", "direction", "interaction_type", "date", "res_id",
}
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"

Problem = namedtuple("Problem", "index message")
# What a row takes from its interaction type: the type's id, and the channel and direction
# (or None) it gets when it gives none.
TypeDefaults = namedtuple("TypeDefaults", "id channel direction")


class BatchError(ValueError):
    """Raised with every problem of a rejected batch."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__(format_problems(problems))


def format_problems(problems):
    lines = ["%d interaction row(s) rejected, nothing was logged:" % len({p.index for p in problems})]
    lines += ["row %s: %s" % (p.index, p.message) for p in problems]
    return "\n".join(lines)


def _is_id(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def referenced_ids(rows):
    """Map model name -> ids that well-formed rows point at.

    Tolerates any malformed input: the caller looks these ids up in one query
    per model, then ``validate`` reports what is missing.
    """
    wanted = {}
    for row in rows if isinstance(rows, (list, tuple)) else ():
        if not isinstance(row, dict):
            continue
        for key, model in REFERENCES.items():
            if _is_id(row.get(key)):
                wanted.setdefault(model, set()).add(row[key])
        res_model, res_id = row.get("res_model"), row.get("res_id")
        if isinstance(res_model, str) and res_model and _is_id(res_id):
            wanted.setdefault(res_model, set()).add(res_id)
    return wanted


@functools.lru_cache(maxsize=256)
def _parse_date_text(value):
    """The Odoo datetime string of a date text, or None; cached, as a batch's rows
    mostly share one date (the default: now)."""
    for fmt in (DATETIME_FORMAT, DATE_FORMAT):
        try:
            return datetime.datetime.strptime(value.strip(), fmt).strftime(DATETIME_FORMAT)
        except ValueError:
            continue
    return None


def parse_date(value):
    """Accept an Odoo datetime string, a date string or a datetime; return an Odoo string."""
    if isinstance(value, datetime.datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, datetime.date):
        return value.strftime(DATE_FORMAT) + " 00:00:00"
    if isinstance(value, str):
        parsed = _parse_date_text(value)
        if parsed:
            return parsed
    raise ValueError(
        "date %r is not a date; use 'YYYY-MM-DD HH:MM:SS' (UTC) or 'YYYY-MM-DD'" % (value,))


def type_problem(code, types):
    """What is wrong with an interaction type code, or None."""
    if code is None:
        return "missing interaction_type (a type code such as order_received)"
    if not isinstance(code, str) or not TYPE_CODE.match(code):
        return ("interaction_type %r must be a lower-case code of letters, digits and "
                "underscores, starting with a letter (e.g. order_received)" % (code,))
    if code not in types:
        close = difflib.get_close_matches(code, list(types), n=3)
        return "unknown interaction_type %r%s; an eCRM Manager adds types under eCRM > Configuration > " \
               "Interaction Types" % (code, " (did you mean %s?)" % " or ".join(close) if close else "")
    return None


def _row_problems(row, existing, known_models, types, reserved_key=None):
    if not isinstance(row, dict):
        yield "is not a dictionary of field values"
        return
    unknown = sorted(set(row) - ALLOWED_KEYS)
    if unknown:
        yield "unknown field(s) %s; allowed: %s" % (", ".join(map(str, unknown)), ", ".join(sorted(ALLOWED_KEYS)))

    if row.get("partner_id") in (None, False):
        yield "missing partner_id (every interaction belongs to a customer)"
    for key, model in REFERENCES.items():
        value = row.get(key)
        if value in (None, False):
            continue
        if not _is_id(value):
            yield "%s must be a positive integer id, got %r" % (key, value)
        elif value not in existing.get(model, ()):
            yield "unknown %s %d (no such %s)" % (key.replace("_id", ""), value, model)

    code = row.get("interaction_type")
    bad_type = type_problem(code, types)
    if bad_type:
        yield bad_type

    channel = row.get("channel")
    if channel is None:
        if not bad_type and not types[code].channel:  # an unknown type: whether it has a channel is unknown
            yield "missing channel; use one of %s" % ", ".join(CHANNELS)
    elif channel not in CHANNELS:
        yield "unknown channel %r; use one of %s" % (channel, ", ".join(CHANNELS))

    direction = row.get("direction", "inbound")
    if direction not in DIRECTIONS:
        yield "unknown direction %r; use inbound or outbound" % (direction,)

    if row.get("date") not in (None, False):
        try:
            parse_date(row["date"])
        except ValueError as error:
            yield str(error)

    for key in TEXT_FIELDS:
        if row.get(key) not in (None, False) and not isinstance(row[key], str):
            yield "%s must be text, got %r" % (key, row[key])

    key = row.get("source_key")
    if isinstance(key, str) and (not key.strip() or len(key) > MAX_SOURCE_KEY):
        yield "source_key must be 1 to %d characters, got %d" % (MAX_SOURCE_KEY, len(key.strip()))
    elif isinstance(key, str) and reserved_key and reserved_key(key):
        yield "source_key %r has the form of the host's own events' keys; use a prefix of your own" % key

    res_model, res_id = row.get("res_model") or None, row.get("res_id") or None
    if bool(res_model) != bool(res_id):
        yield "res_model and res_id go together: give both or neither"
    elif res_model and isinstance(res_model, str):
        if res_model not in known_models:
            yield "unknown source model %r" % res_model
        elif not _is_id(res_id):
            yield "res_id must be a positive integer id, got %r" % (res_id,)
        elif res_id not in existing.get(res_model, ()):
            yield "source document %s,%d does not exist" % (res_model, res_id)


def validate(rows, existing, known_models, types, reserved_key=None):
    """Return the list of problems of a batch (empty when it may be logged).

    ``existing`` maps model name -> set of ids found in the database for
    ``referenced_ids(rows)``; ``known_models`` is the set of model names; ``types`` maps
    each interaction type code to its ``TypeDefaults``; ``reserved_key`` tells the source
    keys this caller may not use.
    """
    if not isinstance(rows, (list, tuple)):
        return [Problem("-", "expected a list of dictionaries, got %s" % type(rows).__name__)]
    if not rows:
        return [Problem("-", "the batch is empty")]
    if len(rows) > MAX_ROWS:
        return [Problem("-", "%d rows in one call; the limit is %d, split the batch" % (len(rows), MAX_ROWS))]
    return [
        Problem(index, message)
        for index, row in enumerate(rows)
        for message in _row_problems(row, existing, known_models, types, reserved_key)
    ]


def first_of_each_key(rows):
    """Positions of the rows to store: a company's source key repeated in one batch counts once."""
    seen, positions = set(), []
    for position, row in enumerate(rows):
        key = row.get("source_key")
        if key:
            if (row.get("company_id"), key) in seen:
                continue
            seen.add((row.get("company_id"), key))
        positions.append(position)
    return positions


def humanise(code):
    """order_received -> 'Order received' (default subject)."""
    return code.replace("_", " ").capitalize()


def normalise(row, defaults, types):
    """A validated row with defaults applied, ready to store: the field defaults, under the
    type's usual channel and direction, under what the row gives."""
    values = dict(defaults)
    type_defaults = types[row["interaction_type"]]
    values["type_id"] = type_defaults.id
    if type_defaults.channel:
        values["channel"] = type_defaults.channel
    if type_defaults.direction:
        values["direction"] = type_defaults.direction
    values.update({key: value for key, value in row.items() if value not in (None, False)})
    values.setdefault("direction", "inbound")
    values["date"] = parse_date(values["date"])
    values.setdefault("subject", humanise(values["interaction_type"]))
    return values
