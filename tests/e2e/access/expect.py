"""The words of the matrix: what an actor may get back from a call, and how that is judged.

    ALLOW   the call succeeds (optionally: and its value passes a check)
    OWN     allowed but scoped: the call succeeds and touches or returns only the caller's own data
    DENY    refused with an AccessError (HTTP: login page, 401, 403 or 404), leaking no name, e-mail,
            figure or id in the message, and writing nothing (checked by the runner)
    NAV     a navigation button: refused, or a window / URL action and nothing else
    QUIET   a page helper reached over RPC: refused, or an empty answer - never data, never a traceback
    PASS    gets past access control: the call succeeds or is refused for its input with a clean
            business error (used where a valid input would need data the matrix does not make)
    HOST    what the host's own access rights say (asked as the actor): the add-on's override of a
            host method neither widens nor narrows them

A traceback (an error that is neither AccessError nor a business error) fails every row.
"""
import re

from .actors import CRASH, DENIED, OK, REFUSED

DOCUMENT_TAIL = re.compile(r"\((Document (model|type)|Operation):[^)]*\)|Document (model|type): \S+")


class Expect:
    name = "?"

    def __init__(self, check=None, why=""):
        self.check, self.why = check, why

    def __repr__(self):
        return self.name

    def problems(self, outcome, context):
        """Why ``outcome`` is not what this expectation allows (empty: it is). ``context`` knows the
        actor and the sandbox (for the value checks and the secrets a refusal must not echo)."""
        if outcome.kind == CRASH:
            return ["a traceback instead of a clean answer: %s" % (outcome,)]
        return self._problems(outcome, context)

    def _checked(self, outcome, context):
        if self.check is None:
            return []
        try:
            problem = self.check(context, outcome.value)
        except Exception as error:  # a check that cannot read the answer is a failed check
            problem = "the answer cannot be read (%s: %s): %r" % (type(error).__name__, error, outcome.value)
        return [problem] if problem else []


class Allow(Expect):
    name = "ALLOW"

    def _problems(self, outcome, context):
        if outcome.kind != OK:
            return ["expected to be allowed, got %s" % (outcome,)]
        return self._checked(outcome, context)


class Own(Allow):
    name = "OWN"

    def __init__(self, check, why=""):
        super().__init__(check, why)


class Deny(Expect):
    name = "DENY"

    def _problems(self, outcome, context):
        if outcome.kind != DENIED:
            return ["expected an AccessError, got %s" % (outcome,)]
        return leaks(outcome.message, context)


class Nav(Expect):
    name = "NAV"

    def _problems(self, outcome, context):
        if outcome.kind == DENIED:
            return leaks(outcome.message, context)
        if outcome.kind == OK and isinstance(outcome.value, dict) and outcome.value.get("type") in (
                "ir.actions.act_window", "ir.actions.act_url"):
            return []
        return ["expected a refusal or a window action, got %s" % (outcome,)]


class Quiet(Expect):
    name = "QUIET"

    def _problems(self, outcome, context):
        if outcome.kind == DENIED:
            return leaks(outcome.message, context)
        if outcome.kind == OK and not outcome.value:
            return []
        return ["expected a refusal or an empty answer, got %s" % (outcome,)]


class Pass(Expect):
    name = "PASS"

    def _problems(self, outcome, context):
        if outcome.kind == OK:
            return self._checked(outcome, context)
        if outcome.kind == REFUSED:  # refused for its input, to someone who may see the record
            return []
        return ["expected to get past access control, got %s" % (outcome,)]


class Host(Expect):
    """Resolved per actor by asking the host's check_access_rights(operation) on ``model``."""

    name = "HOST"

    def __init__(self, model, operation):
        super().__init__()
        self.model, self.operation = model, operation

    def __repr__(self):
        return "HOST(%s %s)" % (self.model, self.operation)

    def resolve(self, actor):
        return ALLOW if actor.check_access(self.model, self.operation) else DENY


def leaks(message, context):
    """A refusal says what was refused, never whose data: no sandbox name, e-mail or figure, no number."""
    message = message or ""
    found = [secret for secret in context.secrets if secret and secret in message]
    digits = re.findall(r"\d+", DOCUMENT_TAIL.sub("", message))
    problems = []
    if found:
        problems.append("the refusal echoes %s: %r" % (", ".join(map(repr, found)), message[:300]))
    if digits:
        problems.append("the refusal carries numbers (ids or figures) %s: %r" % (digits, message[:300]))
    return problems


ALLOW, DENY, NAV, QUIET, PASS = Allow(), Deny(), Nav(), Quiet(), Pass()
