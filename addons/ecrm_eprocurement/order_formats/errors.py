"""Problems found in an inbound document, each with the line it was found on."""
from collections import namedtuple

# line is the 1-based line of the payload (XML source line or CSV row), or None
# when the problem concerns the document as a whole.
Problem = namedtuple("Problem", "line message")

MALFORMED = 400
TOO_LARGE = 413
UNPROCESSABLE = 422


def format_problems(problems):
    return "\n".join(
        ("line %s: %s" % (p.line, p.message)) if p.line else p.message for p in problems)


class DocumentError(ValueError):
    """The document cannot be turned into an order; ``status`` is the HTTP answer it earns."""

    def __init__(self, status, problems, document_id=None):
        self.status = status
        self.problems = list(problems)
        self.document_id = document_id  # the buyer's order id, when it could be read and kept
        super().__init__(format_problems(self.problems))
