import base64
import json
from unittest.mock import patch

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

    def wizard(self, data, queued=False, **values):
        # the commit's jobs run at once, inside the test's transaction, unless ``queued``
        Import = self.env["ecrm.partner.import"].with_context(test_queue_job_no_delay=not queued)
        return Import.create(dict({"file": base64.b64encode(data), "filename": "contacts.csv"}, **values))

    def told(self, wizard):
        """What the person who started the import was told in their inbox."""
        return self.env["mail.message"].search([("model", "=", wizard._name), ("res_id", "=", wizard.id)],
                                               order="id").mapped("body")

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

    def test_the_dry_run_warns_about_a_bad_postcode_and_shows_what_an_update_changes(self):
        self.individual.write({"phone": "01756 700001", "country_id": self.env.ref("base.uk").id})
        data = ("Name,Email,Phone,Postcode,Country\n"
                "Doris Lumb (test),doris.new@example.co.uk,01756 700001,,United Kingdom\n"
                "Postcode Care Ltd (import test),hello@postcodecare.co.uk,,ZZ99 9ZZZ,United Kingdom\n"
                "Good Postcode Ltd (import test),hi@goodpostcode.co.uk,,HX1 1AA,United Kingdom\n")
        wizard = self.wizard(data.encode())
        wizard.action_dry_run()
        lines = {line.line: line for line in wizard.line_ids}
        self.assertEqual((lines[3].action, wizard.warning_count), ("new", 1))
        self.assertIn("postcode", lines[3].warning.lower(), "saved, but flagged")
        self.assertFalse(lines[4].warning)
        self.assertEqual(lines[2].action, "update")
        self.assertIn("doris.new@example.co.uk", lines[2].changes)
        self.assertIn("(empty)", lines[2].changes, "the address it had before: none")
        self.assertNotIn("Phone", lines[2].changes, "an unchanged field is not a change")
        wizard.action_commit()
        self.assertEqual((wizard.new_count, wizard.update_count, wizard.reject_count), (2, 1, 0))
        self.assertTrue(self.env["res.partner"].search([("name", "=", "Postcode Care Ltd (import test)")]))

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
        wizard.action_commit()
        self.assertEqual(wizard.state, "preview", "back to the preview, to correct and try again")
        self.assertRegex(self.told(wizard)[-1], "Customer import of contacts.csv failed: Nothing was imported: lines 2-3 could not "
                                            "be saved .*ecrm_test_no_evil")
        everyone = self.env["res.partner"].with_context(active_test=False)
        self.assertFalse(everyone.search([("name", "like", "(import test)")]))
        self.assertFalse(self.Interaction.search([("interaction_type", "=", "imported")]))

    def test_chunk_jobs_stage_new_customers_archived_and_switch_them_live_at_the_end(self):
        data = ("Name,Email\nDoris Lumb (test),doris.chunk@example.co.uk\n"
                "Chunk One Ltd (import test),one@chunk.example\nChunk Two Ltd (import test),two@chunk.example\n")
        wizard = self.wizard(data.encode(), queued=True)
        wizard.action_dry_run()
        wizard.action_commit()
        self.assertEqual((wizard.state, wizard.ecrm_job_state), ("importing", "queued"))
        self.assertFalse(self.individual.email, "nothing is applied in the request")
        with self.assertRaisesRegex(UserError, "already under way"):
            wizard.action_commit()
        everyone = self.env["res.partner"].with_context(active_test=False)
        with patch("odoo.addons.ecrm_core.wizards.ecrm_partner_import.COMMIT_CHUNK", 2):
            wizard._ecrm_job_commit(0)
            self.individual.invalidate_cache()
            self.assertEqual(self.individual.email, "doris.chunk@example.co.uk")
            staged = everyone.search([("name", "like", "Chunk % Ltd (import test)")])
            self.assertEqual((len(staged), staged.active), (1, False), "a new customer waits, archived")
            self.assertFalse(self.env["res.partner"].search([("name", "like", "(import test)")]))
            wizard._ecrm_job_commit(2)
        live = self.env["res.partner"].search([("name", "like", "Chunk % Ltd (import test)")])
        self.assertEqual(len(live), 2, "the last chunk switches every new customer live")
        self.assertEqual(wizard.state, "done")
        imported = self.Interaction.search([("interaction_type", "=", "imported")])
        self.assertEqual(imported.mapped("partner_id"), live | self.individual)

    def test_a_chunk_failing_for_good_takes_back_the_chunks_before(self):
        self.env.cr.execute("ALTER TABLE res_partner ADD CONSTRAINT ecrm_test_no_evil CHECK (name NOT LIKE 'Evil%%')")
        email = self.individual.email
        data = ("Name,Email\nDoris Lumb (test),doris.undo@example.co.uk\n"
                "Good Ltd (import test),good@undo.example\nEvil Ltd (import test),evil@undo.example\n")
        wizard = self.wizard(data.encode(), queued=True)
        wizard.action_dry_run()
        wizard.action_commit()
        with patch("odoo.addons.ecrm_core.wizards.ecrm_partner_import.COMMIT_CHUNK", 2):
            wizard._ecrm_job_commit(0)
            self.assertTrue(json.loads(wizard.undo)["created"])
            reason = wizard._ecrm_job_commit(2)
        self.assertIn("lines 4-4 could not be saved", reason)
        self.individual.invalidate_cache()
        self.assertEqual(self.individual.email, email, "the updated customer has its old address back")
        everyone = self.env["res.partner"].with_context(active_test=False)
        self.assertFalse(everyone.search([("name", "like", "(import test)")]))
        self.assertEqual(wizard.state, "preview")

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
