import pytest

from addons.ecrm_sage_bridge.sage_formats.account_ref import (
    ReferenceAllocator, base_reference, is_valid_reference)


@pytest.mark.parametrize("name, expected", [
    ("Kirklees Council", "KIRKLEES"),
    ("The Leeds Hoist Co Ltd", "LEEDSHOI"),
    ("A & B Stairlifts", "ABSTAIRL"),
    ("Renée's Café", "RENEESCA"),
    ("3M", "3M"),
    ("!!!", "CUST"),
])
def test_base_reference_is_upper_case_from_the_name(name, expected):
    assert base_reference(name) == expected


def test_eight_thousand_similar_names_get_unique_valid_references():
    allocator = ReferenceAllocator()
    names = ["Kirklees Council Depot %d" % n for n in range(4000)] + \
            ["Kirklees Council" for _ in range(4000)]
    references = [allocator.allocate(name) for name in names]
    assert len(set(references)) == len(names)
    assert all(is_valid_reference(ref) and len(ref) <= 8 for ref in references)
    assert references[0] == "KIRKLEES"


def test_references_in_use_are_never_handed_out_again():
    allocator = ReferenceAllocator(taken=["kirklees", "KIRKLEE1"])
    assert allocator.allocate("Kirklees Council") == "KIRKLEE2"


def test_allocation_is_stable_for_the_same_history():
    names = ["Pennine Lifts", "Pennine Lifts North", "Pennine Lifts"]
    first = [ReferenceAllocator().allocate(n) for n in names[:1]]
    again = ReferenceAllocator()
    assert [again.allocate(n) for n in names] == ["PENNINEL", "PENNINE1", "PENNINE2"]
    assert first == ["PENNINEL"]


def test_claim_refuses_invalid_or_taken_references():
    allocator = ReferenceAllocator(taken=["ABC"])
    assert allocator.claim(" mine01 ") == "MINE01"
    with pytest.raises(ValueError):
        allocator.claim("abc")
    with pytest.raises(ValueError):
        allocator.claim("TOOLONGREF")
    with pytest.raises(ValueError):
        allocator.claim("")
