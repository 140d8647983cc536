from odoo.addons.ecrm_core.dedupe import matching


def groups(rows, **kwargs):
    return [members for members, _score, _reason in matching.find_groups(matching.prepare(rows), **kwargs)]


FAMILY = [
    (1, "Willow Bank Care Home Ltd", "manager@willowbank.co.uk", "+44 1423 500612", None, "HG1 1SS", None),
    (2, "WILLOW BANK CARE HOME LIMITED", None, "01423 500612", None, "HG1 1SS", None),
    (3, "Willow Bank Care Home", "office@willowbank.co.uk", None, "(01423) 500-612", None, None),
]
STRANGERS = [
    (10, "Meadowview Nursing Home", "admin@meadowview.co.uk", "01924 371177", None, "WF1 2SD", None),
    (11, "Kirklees Council", "equipment@kirklees.gov.uk", "01484 221000", None, "HD1 2YZ", None),
    (12, "Kirkby Stores", "shop@kirkby.co.uk", "01484 555000", None, "HD1 2YZ", None),
]


def test_a_family_of_case_suffix_and_phone_variants_is_one_group():
    assert groups(FAMILY + STRANGERS) == [[1, 2, 3]]


def test_typo_in_name_at_same_postcode():
    rows = [(1, "Pennine Stairlifts Ltd", None, None, None, "HX3 6AA", None),
            (2, "Penine Stairlifts Limited", None, None, None, "HX3 6AA", None)]
    assert groups(rows) == [[1, 2]]


def test_same_vat_and_same_email():
    rows = [(1, "Northern Mobility Supplies plc", None, None, None, None, "GB980780684"),
            (2, "Northern Mobility", None, None, None, None, "gb 980 7806 84"),
            (3, "Dev Patel", "Dev.Patel+work@gmail.com", None, None, None, None),
            (4, "Dev Patel", "devpatel@googlemail.com", None, None, None, None)]
    assert sorted(groups(rows)) == [[1, 2], [3, 4]]


def test_people_sharing_a_switchboard_are_not_merged():
    rows = [(1, "Priya Sharma", None, "0113 220 8500", None, "LS6 1PF", None),
            (2, "Tom Whitaker", None, "0113 220 8500", None, "LS6 1PF", None)]
    assert groups(rows) == []


def test_dismissed_pairs_are_never_proposed_again():
    assert groups(FAMILY, skip_pairs={frozenset((1, 2)), frozenset((1, 3)), frozenset((2, 3))}) == []
    assert groups(FAMILY, skip_pairs={frozenset((1, 2))}) == [[1, 2, 3]]  # still linked through 3


def test_blocks_from_a_very_common_key_are_ignored():
    shared = [(i, "Resident %d" % i, None, "01422 300400", None, None, None)
              for i in range(matching.MAX_BLOCK_SIZE + 5)]
    assert matching.candidate_pairs(matching.prepare(shared)) == set()
