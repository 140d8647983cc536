"""Sage 50 customer account references: up to 8 upper-case characters, unique.

A reference is generated once from the customer's name and then kept: callers
store it and pass every reference already in use as ``taken``, so a reference
never moves to another customer and never changes when the name does.
"""
import re
import unicodedata

MAX_LENGTH = 8
VALID_REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9\-_./&]{0,7}$")
# Words that make every reference look alike without telling customers apart.
NOISE_WORDS = frozenset({"THE", "LTD", "LIMITED", "PLC", "LLP", "AND", "OF", "CO", "COMPANY", "&"})


def is_valid_reference(reference):
    return isinstance(reference, str) and bool(VALID_REFERENCE.match(reference))


def _words(name):
    ascii_name = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[A-Z0-9]+", ascii_name.upper())
    meaningful = [word for word in words if word not in NOISE_WORDS]
    return meaningful or words


def base_reference(name):
    """The reference a name asks for, before making it unique: 'Kirklees Council' -> 'KIRKLEES'."""
    words = _words(name)
    if not words:
        return "CUST"
    base = words[0]
    for word in words[1:]:
        if len(base) >= MAX_LENGTH:
            break
        base += word
    return base[:MAX_LENGTH]


class ReferenceAllocator:
    """Hands out unique references against the set already in use.

    Clashes take a numeric suffix that replaces the tail of the base
    (KIRKLEES, KIRKLEE1 ... KIRKLE10 ...), so the result stays within 8
    characters. The next free number per base is remembered, so allocating
    thousands of similar names stays linear.
    """

    def __init__(self, taken=()):
        self.taken = {reference.upper() for reference in taken}
        self._next_suffix = {}

    def allocate(self, name):
        base = base_reference(name)
        if base not in self.taken:
            self.taken.add(base)
            return base
        number = self._next_suffix.get(base, 1)
        while True:
            suffix = str(number)
            if len(suffix) >= MAX_LENGTH:
                raise ValueError("no free account reference left for %r" % name)
            candidate = base[:MAX_LENGTH - len(suffix)] + suffix
            number += 1
            if candidate not in self.taken:
                self._next_suffix[base] = number
                self.taken.add(candidate)
                return candidate

    def claim(self, reference):
        """Reserve a reference a person typed; refuses one that is invalid or in use."""
        reference = (reference or "").strip().upper()
        if not is_valid_reference(reference):
            raise ValueError("%r is not a Sage account reference (1-8 characters A-Z, 0-9)" % reference)
        if reference in self.taken:
            raise ValueError("account reference %s is already in use" % reference)
        self.taken.add(reference)
        return reference
