import pytest

from odoo.addons.ecrm_core.consent import reply


@pytest.mark.parametrize("subject, text, expected", [
    ("Unsubscribe", "", "unsubscribe"),
    ("RE: Fwd: unsubscribe!!", "", "unsubscribe"),
    ("Re: Spring offer", "  \nRemove me.\n\n> Hello Ann", "remove me"),
    ("Re: [12] STOP", None, "stop"),
    ("Re: Spring offer", "Opt-out please?", None),  # not one of the phrases
    ("Re: Spring offer", "opt-out", "opt out"),
    ("Re: Spring offer", "> unsubscribe\nThanks", None),  # quoted text is the sender's own mail
    ("Stop-gap order", "", None),
    ("Please stop sending me offers", "", None),
    ("Re: Spring offer", "Please call me about the offer\nunsubscribe", None),  # only the first line counts
    (None, None, None),
    ("", "", None),
])
def test_only_a_request_that_stands_alone_counts(subject, text, expected):
    assert reply.unsubscribe_request(subject, text) == expected


def test_every_request_is_normalised_already():
    assert all(reply.normalise(phrase) == phrase for phrase in reply.REQUESTS)
