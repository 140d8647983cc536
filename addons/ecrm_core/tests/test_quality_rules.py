from odoo.exceptions import ValidationError

from .common import InteractionCase


class TestQualityRules(InteractionCase):

    def setUp(self):
        super().setUp()
        self.Rule = self.env["ecrm.quality.rule"]
        self.zip_field = self.env.ref("base.field_res_partner_zip")

    def test_blocking_rule_refuses_create_and_write_with_its_message(self):
        with self.assertRaisesRegex(ValidationError, "e-mail address is not valid"):
            self.env["res.partner"].create({"name": "Typo Ltd (test)", "email": "sales@typo"})
        with self.assertRaisesRegex(ValidationError, "e-mail address is not valid"):
            self.individual.write({"email": "doris-at-example.co.uk"})
        self.individual.write({"email": "doris@example.co.uk"})  # a good value passes

    def test_configured_rule_applies_to_rpc_import_and_form_alike(self):
        self.Rule.create({"name": "Postcode required", "field_id": self.zip_field.id, "kind": "required",
                          "severity": "blocking", "message": "Enter the postcode."})
        with self.assertRaisesRegex(ValidationError, "Enter the postcode"):
            self.env["res.partner"].create({"name": "No Postcode Ltd (test)"})
        result = self.env["res.partner"].load(["name", "zip"], [["Loaded Ltd (test)", ""]])
        self.assertFalse(result["ids"])
        self.assertIn("Enter the postcode", str(result["messages"]))
        self.env["res.partner"].create({"name": "Has Postcode Ltd (test)", "zip": "HX1 1AA"})

    def test_country_scoped_warning_lowers_the_score_only(self):
        uk = self.env.ref("base.uk")
        partner = self.env["res.partner"].create({
            "name": "Halifax Mobility (test)", "email": "hello@halifaxmobility.co.uk", "street": "1 Bull Green",
            "city": "Halifax", "zip": "NOT A CODE", "country_id": uk.id})
        self.assertEqual(partner.ecrm_data_quality_score, 90)
        self.assertIn("not a UK postcode", partner.ecrm_quality_issues)
        partner.write({"zip": "HX1 1AA"})
        self.assertEqual(partner.ecrm_data_quality_score, 100)
        partner.write({"country_id": self.env.ref("base.fr").id, "zip": "75001"})
        self.assertEqual(partner.ecrm_data_quality_score, 100, "the UK rule does not apply in France")

    def test_junk_is_flagged_and_scored_down(self):
        junk = self.env["res.partner"].create({"name": "Mickey Mouse", "email": "mm@mailinator.com"})
        self.assertTrue(junk.ecrm_quality_flagged)
        self.assertEqual(junk.ecrm_quality_band, "poor")
        self.assertIn("disposable", junk.ecrm_quality_issues)

    def test_batch_recompute_after_a_rule_change(self):
        rule = self.Rule.create({"name": "Account code", "field_id": self.env.ref("base.field_res_partner_ref").id,
                                 "kind": "regex", "pattern": r"^C\d{5}$", "severity": "warning",
                                 "message": "Account codes look like C12345."})
        self.individual.write({"ref": "bad"})
        self.assertIn("Account codes", self.individual.ecrm_quality_issues)
        rule.active = False
        self.env["res.partner"].ecrm_recompute_quality()
        self.individual.invalidate_cache()
        self.assertNotIn("Account codes", self.individual.ecrm_quality_issues or "")

    def test_invalid_regex_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "invalid regular expression"):
            self.Rule.create({"name": "Broken", "field_id": self.zip_field.id, "kind": "regex",
                              "pattern": "([", "message": "x"})
