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


# ---- a company and its own contacts ----
# Odoo copies a company's VAT number onto its contacts: Row(..., vat, commercial_id, ancestor_ids)
WILLOW = matching.Row(20, "Willow Bank Care Home Ltd", "manager@willowbank.co.uk", "01423 500612", None,
                      "HG1 1SS", "GB123456782")
GARETH = matching.Row(21, "Gareth Evans", "gareth@willowbank.co.uk", None, "07700 900123", "HG1 1SS",
                      "GB123456782", 20, (20,))
SUSAN = matching.Row(22, "Susan Evans", "susan@willowbank.co.uk", None, "07700 900999", "HG1 1SS",
                     "GB123456782", 20, (20,))


def test_a_company_and_its_contact_sharing_the_inherited_vat_are_not_duplicates():
    assert groups([WILLOW, GARETH]) == []
    assert matching.score_pair(*matching.prepare([WILLOW, GARETH]))[0] == 0


def test_two_contacts_of_one_company_are_not_paired_on_the_company_vat_alone():
    assert groups([WILLOW, GARETH, SUSAN]) == []


def test_two_contacts_of_one_company_with_the_same_e_mail_are_still_duplicates():
    twin = GARETH._replace(id=23, name="Gareth Evans (Home Manager)", mobile=None)
    assert groups([WILLOW, GARETH, twin]) == [[21, 23]]


def test_two_records_of_one_organisation_keyed_differently_are_duplicates():
    other_record = matching.Row(30, "WILLOW BANK CARE HOME LIMITED", None, "+44 1423 500612", None, "HG1 1SS",
                                "GB 123 4567 82")
    assert groups([WILLOW, GARETH, other_record]) == [[20, 30]]


def test_a_contact_never_joins_its_company_s_group_through_a_third_record():
    # the other record shares the company's name and the contact's mobile: the strongest links
    # are taken first, and the one that would group the contact with its own company is refused
    other_record = matching.Row(30, "Willow Bank Care Home Limited", None, "07700 900123", None, "HG1 1SS", None)
    found = groups([WILLOW, GARETH._replace(name="Willow Bank Care Home"), other_record])
    assert found == [[21, 30]]


def test_a_sub_contact_is_never_paired_with_any_of_its_ancestors():
    delivery = matching.Row(24, "Gareth Evans", "gareth@willowbank.co.uk", None, None, "HG1 1SS",
                            "GB123456782", 20, (21, 20))
    assert groups([WILLOW, GARETH, delivery]) == []


def test_groups_are_named_tuples():
    [group] = matching.find_groups(matching.prepare(FAMILY))
    assert (group.ids, group.reason) == ([1, 2, 3], group[2]) and group.score >= 80
