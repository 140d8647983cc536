import base64

from odoo.exceptions import UserError

from .common import InteractionCase

CSV = (
    "Name,Email,Phone,Postcode,Country\n"
    "Doris Lumb (test),doris.new@example.co.uk,01756 700001,BD23 1JD,United Kingdom\n"   # updates by name
    "Brand New Care Ltd (import test),info@brandnewcare.co.uk,01904 000111,YO1 9RY,GB\n"
    "Bad Email Ltd (import test),not-an-email,,,\n"
    ",nobody@example.co.uk,,,\n"
    "Brand New Care Ltd (import test),info@brandnewcare.co.uk,,,\n"
    "Elsewhere Ltd (import test),hi@elsewhere.co.uk,,,Atlantis\n"
)


class TestPartnerImport(InteractionCase):

    def wizard(self, data, **values):
        return self.env["ecrm.partner.import"].create(dict(
            {"file": base64.b64encode(data), "filename": "contacts.csv"}, **values))

    def test_dry_run_writes_nothing_and_explains_each_row(self):
        partners_before = self.env["res.partner"].search_count([])
        wizard = self.wizard(CSV.encode())
        wizard.action_dry_run()
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before)
        actions = {line.line: (line.action, line.reason) for line in wizard.line_ids}
        self.assertEqual(actions[2][0], "update")
        self.assertEqual(actions[3][0], "new")
        self.assertIn("invalid e-mail", actions[4][1])
        self.assertIn("no name", actions[5][1])
        self.assertIn("same customer as line 3", actions[6][1])
        self.assertIn("unknown country", actions[7][1])
        self.assertEqual((wizard.new_count, wizard.update_count, wizard.reject_count), (1, 1, 4))
        rejects = base64.b64decode(wizard.rejects_file).decode("utf-8-sig").splitlines()
        self.assertEqual(rejects[0], "Line,Reason,Name,Email,Phone,Postcode,Country")
        self.assertEqual(len(rejects), 5)

    def test_commit_applies_accepted_rows_and_logs_one_interaction_each(self):
        wizard = self.wizard(CSV.encode())
        wizard.action_dry_run()
        wizard.action_commit()
        created = self.env["res.partner"].search([("name", "=", "Brand New Care Ltd (import test)")])
        self.assertEqual(len(created), 1)
        self.assertEqual(created.zip, "YO1 9RY")
        self.assertEqual(self.individual.email, "doris.new@example.co.uk")
        imported = self.Interaction.search([("interaction_type", "=", "imported")])
        self.assertEqual(set(imported.mapped("partner_id").ids), {created.id, self.individual.id})
        self.assertFalse(self.env["res.partner"].search([("name", "like", "(import test)"),
                                                         ("name", "!=", created.name)]))

    def test_rows_failing_a_new_rule_are_rejected_at_commit_not_half_applied(self):
        data = "Name,Phone\nFirst Ok Ltd (import test),01422 111222\nSecond Ltd (import test),\n".encode()
        wizard = self.wizard(data)
        wizard.action_dry_run()
        self.assertEqual(wizard.new_count, 2)
        # a rule added between the dry run and the commit applies to the commit too
        self.env["ecrm.quality.rule"].create({
            "name": "Phone required", "field_id": self.env.ref("base.field_res_partner_phone").id,
            "kind": "required", "severity": "blocking", "message": "Phone is required."})
        wizard.action_commit()
        self.assertEqual(self.env["res.partner"].search([("name", "like", "(import test)")]).mapped("name"),
                         ["First Ok Ltd (import test)"])

    def test_a_failure_during_commit_leaves_nothing_behind(self):
        # a database constraint the analysis cannot foresee stands in for any late failure
        self.env.cr.execute("ALTER TABLE res_partner ADD CONSTRAINT ecrm_test_no_evil CHECK (name NOT LIKE 'Evil%%')")
        wizard = self.wizard("Name\nGood Ltd (import test)\nEvil Ltd (import test)\n".encode())
        wizard.action_dry_run()
        self.assertEqual(wizard.new_count, 2)
        with self.assertRaisesRegex(UserError, "Nothing was imported"):
            wizard.action_commit()
        self.assertFalse(self.env["res.partner"].search([("name", "like", "(import test)")]))
        self.assertFalse(self.Interaction.search([("interaction_type", "=", "imported")]))

    def test_possible_duplicates_of_existing_customers_are_shown(self):
        # not the same name, e-mail or phone (that would be an update) but a typo at the same postcode
        data = "Name,Postcode\nKirklees Counicl (test),HD1 2YZ\n".encode()
        self.company_partner.zip = "HD1 2YZ"
        wizard = self.wizard(data)
        wizard.action_dry_run()
        self.assertEqual(wizard.line_ids.duplicate_of_id, self.company_partner)
        self.assertEqual(wizard.duplicate_count, 1)

    def test_hostile_files_are_refused_with_a_reason_and_nothing_written(self):
        cases = [
            (b"\x00\x01garbage" * 1000, "not a text file"),
            ("Name\nJos\xe9\n".encode("cp1252"), r"Windows \(cp1252\)"),
            (b"Doris,doris@example.co.uk\n", "No header row"),
            (b"", "empty"),
        ]
        before = self.env["res.partner"].search_count([])
        for data, message in cases:
            wizard = self.wizard(data) if data else self.env["ecrm.partner.import"].create({"file": False})
            with self.assertRaisesRegex(UserError, message):
                wizard.action_dry_run()
            with self.assertRaisesRegex(UserError, message):
                wizard.action_commit()
        self.assertEqual(self.env["res.partner"].search_count([]), before)

    def test_a_generic_csv_is_mapped_by_the_person(self):
        data = "Organisation name,Post code,Contact mail,Notes\nHebden Care Hub (import test),HX7 8AF,hub@hch.co.uk,x\n"
        wizard = self.wizard(data.encode())
        wizard.action_dry_run()
        self.assertIn("no name", wizard.line_ids.reason, "no column was recognised as the name yet")
        mapping = {line.column: line for line in wizard.column_ids}
        self.assertEqual(mapping["Post code"].field, "zip")
        mapping["Organisation name"].field = "name"
        mapping["Contact mail"].field = "email"
        wizard.action_dry_run()
        self.assertEqual(wizard.new_count, 1)
        wizard.action_commit()
        partner = self.env["res.partner"].search([("name", "=", "Hebden Care Hub (import test)")])
        self.assertEqual((partner.zip, partner.email), ("HX7 8AF", "hub@hch.co.uk"))
