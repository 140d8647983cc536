"""Find groups of records that are probably the same customer.

Candidates are compared only within blocks that share a key (same e-mail,
phone, VAT number, normalised name, or name prefix in the same postcode
district), so the work grows with the number of near matches, not with the
square of the customer count.
"""
from collections import defaultdict, namedtuple

from rapidfuzz import fuzz

from ..quality import normalise

Candidate = namedtuple("Candidate", "id name email phones postcode vat")
MAX_BLOCK_SIZE = 60       # a bigger block is a common key (a shared switchboard), not evidence
DEFAULT_THRESHOLD = 80


def prepare(rows, region="GB"):
    """rows: (id, name, email, phone, mobile, zip, vat) -> normalised Candidates."""
    candidates = []
    for partner_id, name, email, phone, mobile, postcode, vat in rows:
        phones = {p for p in (normalise.normalise_phone(phone, region),
                              normalise.normalise_phone(mobile, region)) if p}
        candidates.append(Candidate(
            partner_id, normalise.normalise_name(name), normalise.normalise_email(email),
            frozenset(phones), normalise.normalise_postcode(postcode), normalise.normalise_vat(vat)))
    return candidates


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


def find_groups(candidates, threshold=DEFAULT_THRESHOLD, skip_pairs=frozenset()):
    """Groups of duplicate candidates as [(sorted ids, score, reason)], best first.

    ``skip_pairs``: frozensets {id, id} a person already dismissed; they are
    never proposed again, and never link a group together.
    """
    parent = list(range(len(candidates)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    edges = []
    for first, second in candidate_pairs(candidates):
        a, b = candidates[first], candidates[second]
        if frozenset((a.id, b.id)) in skip_pairs:
            continue
        score, reason = score_pair(a, b)
        if score >= threshold:
            edges.append((first, second, score, reason))
            parent[root(first)] = root(second)

    groups = defaultdict(lambda: {"members": set(), "scores": [], "reasons": set()})
    for first, second, score, reason in edges:
        group = groups[root(first)]
        group["members"].update((candidates[first].id, candidates[second].id))
        group["scores"].append(score)
        group["reasons"].add(reason)
    found = [(sorted(g["members"]), round(min(g["scores"]), 1), "; ".join(sorted(g["reasons"])))
             for g in groups.values()]
    return sorted(found, key=lambda group: (-group[1], group[0]))
