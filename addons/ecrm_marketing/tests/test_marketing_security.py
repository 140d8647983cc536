"""Access rights and company record rules of the marketing data."""
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError
from odoo.tests.common import at_install, post_install
from odoo.tools import mute_logger

from .common import MarketingCase


@at_install(False)
@post_install(True)
class TestMarketingSecurity(MarketingCase):

    def setUp(self):
        super().setUp()
        self.other_company = self.env["res.company"].create({"name": "Other Ltd (test)"})
        self.user = self.make_user("mkt_user_test", ["ecrm_core.group_ecrm_user"])
        self.manager = self.make_user("mkt_manager_test", ["ecrm_core.group_ecrm_manager"])
        self.outsider = self.make_user("mkt_outsider_test", ["base.group_user"])
        Cost = self.env["ecrm.campaign.cost"]
        self.own_cost = Cost.create({"campaign_id": self.campaign.id, "description": "Ours", "amount": 100})
        self.foreign_cost = Cost.create({"campaign_id": self.campaign.id, "description": "Theirs", "amount": 900,
                                         "company_id": self.other_company.id})

    def test_user_sees_own_company_costs_only(self):
        visible = self.env["ecrm.campaign.cost"].sudo(self.user).search([("campaign_id", "=", self.campaign.id)])
        self.assertEqual(visible, self.own_cost)

    def test_roi_report_counts_own_company_costs_only(self):
        row = self.Campaign.sudo(self.user).ecrm_roi_report([self.campaign.id])[self.campaign.id]
        self.assertAlmostEqual(row["cost"], 100)

    def test_user_cannot_delete_costs_manager_can(self):
        with self.assertRaises(AccessError):
            self.own_cost.sudo(self.user).unlink()
        self.own_cost.sudo(self.manager).unlink()

    def test_outsider_has_no_access(self):
        with self.assertRaises(AccessError):
            self.env["ecrm.campaign.cost"].sudo(self.outsider).search([])
        with self.assertRaises(AccessError):
            self.env["ecrm.segment"].sudo(self.outsider).search([])

    def test_segments_are_per_company(self):
        Segment = self.env["ecrm.segment"]
        own = Segment.sudo(self.manager).create({"name": "Ours (test)"})
        Segment.create({"name": "Theirs (test)", "company_id": self.other_company.id})
        self.assertEqual(Segment.sudo(self.manager).search([("name", "like", "(test)")]), own)
        with self.assertRaises(AccessError):
            Segment.sudo(self.user).create({"name": "Not allowed (test)"})

    def test_programs_are_managed_by_managers_per_company(self):
        Program = self.env["ecrm.campaign.program"]
        with self.assertRaises(AccessError):
            Program.sudo(self.user).create({"name": "Not allowed (test)", "campaign_id": self.campaign.id})
        own = Program.sudo(self.manager).create({"name": "Ours (test)", "campaign_id": self.campaign.id})
        theirs = Program.create({"name": "Theirs (test)", "campaign_id": self.campaign.id,
                                 "company_id": self.other_company.id})
        visible = Program.sudo(self.user).search([("id", "in", (own | theirs).ids)])
        self.assertEqual(visible, own)
        with self.assertRaises(AccessError):
            theirs.sudo(self.manager).enroll([self.customer_a.id])

    def test_roi_and_channel_reports_show_own_company_rows_only(self):
        for report in ("ecrm.campaign.roi.report", "ecrm.campaign.channel.report"):
            rows = self.env[report].sudo(self.user).search([("campaign_id", "=", self.campaign.id)])
            self.assertEqual(rows.mapped("company_id"), self.env.user.company_id, report)
            self.assertEqual(len(self.env[report].search([("campaign_id", "=", self.campaign.id)])), 2, report)
        own = self.env["ecrm.campaign.roi.report"].sudo(self.user).search([("campaign_id", "=", self.campaign.id)])
        self.assertAlmostEqual(own.cost, 100)

    def test_program_steps_follow_their_program_company(self):
        Program = self.env["ecrm.campaign.program"]
        theirs = Program.create({"name": "Theirs (test)", "campaign_id": self.campaign.id,
                                 "company_id": self.other_company.id,
                                 "step_ids": [(0, 0, {"name": "Note", "action": "interaction"})]})
        self.assertEqual(theirs.step_ids.company_id, self.other_company)
        self.assertFalse(self.env["ecrm.campaign.program.step"].sudo(self.manager).search(
            [("id", "in", theirs.step_ids.ids)]))

    def test_users_cannot_run_programs(self):
        program = self.env["ecrm.campaign.program"].create({
            "name": "Ours (test)", "campaign_id": self.campaign.id,
            "step_ids": [(0, 0, {"name": "Note", "action": "interaction"})]})
        program.action_start()
        with self.assertRaises(AccessError):
            program.sudo(self.user).run()

    def test_frequency_cap_is_set_in_settings_per_company(self):
        settings = self.env["res.config.settings"].create({"ecrm_contact_cap": 5, "ecrm_contact_cap_days": 14})
        settings.set_values()
        company = self.env.user.company_id
        self.assertEqual((company.ecrm_contact_cap, company.ecrm_contact_cap_days), (5, 14))
        self.assertEqual(self.env["res.config.settings"].create({}).ecrm_contact_cap, 5)
        self.assertEqual(self.other_company.ecrm_contact_cap, 3)

    def test_frequency_cap_cannot_be_negative(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env.user.company_id.ecrm_contact_cap_days = 0
