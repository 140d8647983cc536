"""Whether an inbound e-mail asks to stop marketing mail, read conservatively.

A customer who replies "unsubscribe" expects to be taken off the list, and the law (PECR, GDPR
art. 21) says an objection to direct marketing needs no particular form. A false positive opts
a customer out who did not ask, which only explicit consent undoes, so only a request that
stands alone counts: the whole subject (after any "Re:" / "Fwd:") or the whole first line of
the body is one of ``REQUESTS``, whatever its case and punctuation. "Please stop sending me
offers" or "Re: stop-gap order" is read by staff, not by the gateway.
"""
import re

REQUESTS = frozenset((
    "unsubscribe", "unsubscribe me", "unsubscribe please", "please unsubscribe", "please unsubscribe me",
    "remove me", "remove me please", "please remove me", "remove me from your list",
    "remove me from your mailing list", "please remove me from your list", "please remove me from your mailing list",
    "stop", "stop please", "please stop", "opt out", "opt me out", "optout",
))
REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|sv|tr|wg)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)
WORD = re.compile(r"[^\W\d_]+")


def normalise(text):
    """``text`` without reply prefixes, as lower-case words separated by single spaces."""
    return " ".join(WORD.findall(REPLY_PREFIX.sub("", text or "").lower()))


def first_line(text):
    """The first line of ``text`` that is not blank; None if it quotes (``>``) or there is none."""
    for line in (text or "").splitlines():
        if line.strip():
            return None if line.lstrip().startswith(">") else line
    return None


def unsubscribe_request(subject, text):
    """The request (one of ``REQUESTS``) that ``subject`` or the first line of the plain ``text`` makes, or None."""
    for candidate in (subject, first_line(text)):
        phrase = normalise(candidate)
        if phrase in REQUESTS:
            return phrase
    return None
