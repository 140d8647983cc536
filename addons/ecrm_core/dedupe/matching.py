"""Find groups of records that are probably the same customer.

Candidates are compared only within blocks that share a key (same e-mail,
phone, VAT number, normalised name, or name prefix in the same postcode
district), so the work grows with the number of near matches, not with the
square of the customer count.

A company and its own contacts are never duplicates of each other: a record is
never paired with, nor grouped with, one of its ancestors (its company, or the
contact it is an address of). Odoo copies a company's VAT number onto its
contacts, so a VAT number is evidence only on a record that is its own
commercial entity.
"""
from collections import defaultdict, namedtuple

from rapidfuzz import fuzz

from ..quality import normalise

# what a scan reads of one record; ``commercial_id`` (None: the record itself) and
# ``ancestor_ids`` (its parent, the parent's parent, ...) may be left out
Row = namedtuple("Row", "id name email phone mobile zip vat commercial_id ancestor_ids",
                 defaults=(None, ()))
Candidate = namedtuple("Candidate", "id name email phones postcode vat ancestor_ids")
Edge = namedtuple("Edge", "first second score reason")  # indices into the candidates
Group = namedtuple("Group", "ids score reason")           # sorted record ids
MAX_BLOCK_SIZE = 60       # a bigger block is a common key (a shared switchboard), not evidence
DEFAULT_THRESHOLD = 80


def prepare(rows, region="GB"):
    """rows: Rows, or plain sequences in Row's order -> normalised Candidates."""
    return [_candidate(Row(*row), region) for row in rows]


def _candidate(row, region):
    phones = {p for p in (normalise.normalise_phone(row.phone, region),
                          normalise.normalise_phone(row.mobile, region)) if p}
    own_entity = row.commercial_id in (None, row.id)
    return Candidate(
        row.id, normalise.normalise_name(row.name), normalise.normalise_email(row.email), frozenset(phones),
        normalise.normalise_postcode(row.zip), normalise.normalise_vat(row.vat) if own_entity else None,
        frozenset(row.ancestor_ids or ()))


def related(a, b):
    """True when one candidate is the other's company (or parent contact): never duplicates."""
    return a.id in b.ancestor_ids or b.id in a.ancestor_ids


def blocking_keys(candidate):
    keys = []
    if candidate.email:
        keys.append(("email", candidate.email))
    keys.extend(("phone", phone) for phone in candidate.phones)
    if candidate.vat:
        keys.append(("vat", candidate.vat))
    if candidate.name:
        tokens = candidate.name.split()
        keys.append(("name", " ".join(sorted(tokens))))
        if candidate.postcode:
            district = candidate.postcode.split()[0]
            keys.append(("prefix_district", tokens[0][:3], district))
            keys.append(("suffix_district", tokens[-1][:3], district))
    return keys


def score_pair(a, b):
    """(score 0-100, reason) that a and b are the same customer."""
    if related(a, b):
        return 0, "a company and its own contact"
    name_similarity = fuzz.token_sort_ratio(a.name, b.name) if a.name and b.name else 0
    if a.vat and a.vat == b.vat:
        return 98, "same VAT number"
    if a.email and a.email == b.email and name_similarity >= 50:
        return 90 + name_similarity / 10, "same e-mail, similar name"
    if a.phones & b.phones and name_similarity >= 75:
        return 80 + name_similarity / 5, "same phone, similar name"
    if name_similarity >= 90 and a.postcode and a.postcode == b.postcode:
        return 75 + name_similarity / 5, "similar name at the same postcode"
    if name_similarity >= 95 and (a.email or a.phones) and (b.email or b.phones) and not (
            (a.email and b.email) or (a.phones and b.phones)) and a.postcode == b.postcode:
        # one side only has an e-mail, the other only a phone: nothing contradicts the name
        return 80, "same name, no conflicting contact details"
    return name_similarity * 0.7, "similar name only"


def candidate_pairs(candidates):
    blocks = defaultdict(list)
    for index, candidate in enumerate(candidates):
        for key in blocking_keys(candidate):
            blocks[key].append(index)
    pairs = set()
    for members in blocks.values():
        if 1 < len(members) <= MAX_BLOCK_SIZE:
            for i, first in enumerate(members):
                for second in members[i + 1:]:
                    pairs.add((first, second) if first < second else (second, first))
    return pairs


class _Components:
    """Union-find over candidate indices that refuses a union putting a record with its ancestor."""

    def __init__(self, candidates):
        self.parent = list(range(len(candidates)))
        self.ids = [{c.id} for c in candidates]
        self.ancestors = [set(c.ancestor_ids) for c in candidates]

    def root(self, i):
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, first, second):
        """Put both in one component; False (and nothing joined) if that groups relatives."""
        a, b = self.root(first), self.root(second)
        if a == b:
            return True
        if self.ids[a] & self.ancestors[b] or self.ids[b] & self.ancestors[a]:
            return False
        self.parent[a] = b
        self.ids[b] |= self.ids[a]
        self.ancestors[b] |= self.ancestors[a]
        return True


def _edges(candidates, threshold, skip_pairs):
    for first, second in candidate_pairs(candidates):
        a, b = candidates[first], candidates[second]
        if frozenset((a.id, b.id)) in skip_pairs:
            continue
        score, reason = score_pair(a, b)
        if score >= threshold:
            yield Edge(first, second, score, reason)


def find_groups(candidates, threshold=DEFAULT_THRESHOLD, skip_pairs=frozenset()):
    """Groups of duplicate candidates as [Group(sorted ids, score, reason)], best first.

    ``skip_pairs``: frozensets {id, id} a person already dismissed; they are
    never proposed again, and never link a group together. The strongest
    links are taken first, so a weak one never pulls a company's contact into
    the company's group.
    """
    components = _Components(candidates)
    kept = [edge for edge in sorted(_edges(candidates, threshold, skip_pairs),
                                    key=lambda edge: (-edge.score, edge.first, edge.second))
            if components.join(edge.first, edge.second)]
    groups = defaultdict(lambda: {"members": set(), "scores": [], "reasons": set()})
    for edge in kept:
        group = groups[components.root(edge.first)]
        group["members"].update((candidates[edge.first].id, candidates[edge.second].id))
        group["scores"].append(edge.score)
        group["reasons"].add(edge.reason)
    found = [Group(sorted(g["members"]), round(min(g["scores"]), 1), "; ".join(sorted(g["reasons"])))
             for g in groups.values()]
    return sorted(found, key=lambda group: (-group.score, group.ids))
