"""A 0-100 data-quality score from completeness, rule warnings and junk signs."""

COMPLETENESS_POINTS = (
    # (what, points lost when missing)
    ("contact", 25),   # neither e-mail nor phone: nobody can reach this customer
    ("street", 10),
    ("zip", 10),
    ("city", 5),
    ("country", 5),
)
WARNING_POINTS = 10
JUNK_POINTS = 40
BANDS = (("poor", 0, 49), ("fair", 50, 79), ("good", 80, 100))


def quality_score(record, warnings=(), junk=()):
    """``record``: dict with email, phone, mobile, street, zip, city, country (any may be empty)."""
    score = 100
    present = {
        "contact": bool(record.get("email") or record.get("phone") or record.get("mobile")),
        "street": bool(record.get("street")),
        "zip": bool(record.get("zip")),
        "city": bool(record.get("city")),
        "country": bool(record.get("country")),
    }
    score -= sum(points for what, points in COMPLETENESS_POINTS if not present[what])
    score -= WARNING_POINTS * len(warnings)
    score -= JUNK_POINTS if junk else 0
    return max(score, 0)


def band(score):
    return next(name for name, low, high in BANDS if low <= score <= high)
