"""Access rights and company record rules of the marketing data."""
import xmlrpc.client

from lxml import etree
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
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
        row = self.Campaign.sudo(self.user).ecrm_roi_report([self.campaign.id])[str(self.campaign.id)]
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


@at_install(False)
@post_install(True)
class TestCampaignFiguresAreStaffOnly(MarketingCase):
    """A campaign is every user's record; its budget, forecast and attributed figures are eCRM staff's."""

    def setUp(self):
        super().setUp()
        self.campaign.write({"ecrm_budget": 4321, "ecrm_target_size": 100, "ecrm_expected_response_rate": 10,
                             "ecrm_expected_conversion_rate": 10, "ecrm_expected_avg_order_value": 100})
        self.employee = self.make_user("mkt_employee_test", ["base.group_user"])
        self.portal = self.make_user("mkt_portal_test", ["base.group_portal"])
        self.user = self.make_user("mkt_user_test", ["ecrm_core.group_ecrm_user"])
        self.staff_fields = [name for name in self.Campaign._fields if name.startswith("ecrm_")
                             and name != "ecrm_currency_id"]

    def test_every_ecrm_figure_is_for_ecrm_users(self):
        self.assertTrue(self.staff_fields)
        for name in self.staff_fields:
            self.assertEqual(self.Campaign._fields[name].groups, "ecrm_core.group_ecrm_user", name)
        self.assertFalse(self.Campaign._fields["ecrm_currency_id"].groups)

    def test_the_record_stays_readable_its_figures_do_not(self):
        for outsider in (self.employee, self.portal):
            campaign = self.campaign.sudo(outsider)
            self.assertEqual(campaign.read(["name"])[0]["name"], self.campaign.name)
            self.assertNotIn("ecrm_budget", campaign.read()[0])  # "every field" means the readable ones
            with self.assertRaises(AccessError):
                campaign.read(["ecrm_budget"])
            with self.assertRaises(AccessError):
                campaign.read(["ecrm_roi"])
            with self.assertRaises(AccessError):
                self.Campaign.sudo(outsider).read_group([("id", "=", self.campaign.id)], ["ecrm_budget"], [])
        self.assertEqual(self.campaign.sudo(self.user).read(["ecrm_budget"])[0]["ecrm_budget"], 4321)

    def test_campaign_views_load_for_a_plain_employee_without_the_figures(self):
        for xmlid, view_type in (("ecrm_marketing.utm_campaign_view_form_ecrm", "form"),
                                 ("ecrm_marketing.utm_campaign_view_tree_ecrm", "tree"),
                                 (None, "form"), (None, "tree")):
            view_id = xmlid and self.env.ref(xmlid).id
            seen = self.Campaign.sudo(self.employee).fields_view_get(view_id=view_id, view_type=view_type)
            names = set(etree.fromstring(seen["arch"]).xpath("//field/@name")) | set(seen["fields"])
            self.assertFalse(names & set(self.staff_fields), (xmlid, view_type))
            self.assertIn("name", names)
        staff = self.Campaign.sudo(self.user).fields_view_get(
            view_id=self.env.ref("ecrm_marketing.utm_campaign_view_form_ecrm").id, view_type="form")
        self.assertIn("ecrm_budget", staff["fields"])

    def test_roi_report_is_for_ecrm_users_only(self):
        for outsider in (self.employee, self.portal):
            with self.assertRaises(AccessError):
                self.Campaign.sudo(outsider).ecrm_roi_report([self.campaign.id])
        report = self.Campaign.sudo(self.user).ecrm_roi_report([self.campaign.id])
        self.assertAlmostEqual(report[str(self.campaign.id)]["budget"], 4321)

    def test_roi_report_answers_only_the_campaigns_the_caller_may_read(self):
        self.env["ir.rule"].create({
            "name": "test: hidden campaigns", "model_id": self.env.ref("utm.model_utm_campaign").id,
            "domain_force": "[('name', 'not like', 'Autumn')]",
            "groups": [(4, self.env.ref("ecrm_core.group_ecrm_user").id)]})
        report = self.Campaign.sudo(self.user).ecrm_roi_report([self.campaign.id, self.other_campaign.id])
        self.assertEqual(set(report), {str(self.campaign.id)})
        self.assertEqual(set(self.Campaign.ecrm_roi_report([self.campaign.id, self.other_campaign.id])),
                         {str(self.campaign.id), str(self.other_campaign.id)})

    def test_roi_report_marshals_over_xmlrpc(self):
        """Odoo 11 answers XML-RPC with allow_none=False: string keys and no None, at every level."""
        empty = self.Campaign.create({"name": "Nothing spent (test)", "ecrm_margin_percent": 130})
        report = self.Campaign.sudo(self.user).ecrm_roi_report([self.campaign.id, empty.id])
        xmlrpc.client.dumps((report,), methodresponse=1, allow_none=False)
        row = report[str(empty.id)]
        self.assertIs(row["cost_per_lead"], False)
        self.assertIs(row["forecast"], False)  # an impossible margin gives no forecast

    def test_roi_report_refuses_what_is_not_a_list_of_ids(self):
        with self.assertRaises(UserError):
            self.Campaign.sudo(self.user).ecrm_roi_report("1; DROP TABLE utm_campaign")


@at_install(False)
@post_install(True)
class TestProgramsOfNonAdminManagers(MarketingCase):
    """An eCRM Manager who is not an administrator builds programs and enrols the customers it may read."""

    def setUp(self):
        super().setUp()
        self.manager = self.make_user("mkt_manager_test", ["ecrm_core.group_ecrm_manager"])
        self.private = self.env["res.partner"].create({"name": "Private address (test)", "type": "private"})
        self.Program = self.env["ecrm.campaign.program"].sudo(self.manager)

    def make_program(self):
        return self.Program.create({"name": "Managed (test)", "campaign_id": self.campaign.id, "step_ids": [
            (0, 0, {"name": "Note", "trigger": "start", "action": "interaction"})]})

    def test_manager_creates_program_steps_and_participants(self):
        program = self.make_program()
        self.assertEqual(program.step_ids.company_id, self.manager.company_id)
        step = self.env["ecrm.campaign.program.step"].sudo(self.manager).create({
            "program_id": program.id, "name": "Second note", "action": "interaction"})
        participant = self.env["ecrm.campaign.participant"].sudo(self.manager).create({
            "program_id": program.id, "partner_id": self.customer_a.id})
        self.assertEqual((step.company_id, participant.company_id), (self.manager.company_id,) * 2)
        self.assertEqual(program.copy().step_ids.mapped("company_id"), self.manager.company_id)

    def test_manager_cannot_create_a_participant_it_cannot_read(self):
        program = self.make_program()
        with self.assertRaises(AccessError):
            self.env["ecrm.campaign.participant"].sudo(self.manager).create({
                "program_id": program.id, "partner_id": self.private.id})

    def test_enrol_refuses_customers_the_caller_cannot_read_and_writes_nothing(self):
        program = self.make_program()
        with self.assertRaises(AccessError):
            program.enroll([self.customer_a.id, self.private.id])
        self.assertFalse(self.env["ecrm.campaign.participant"].search([("program_id", "=", program.id)]))
        self.assertEqual(program.enroll([self.customer_a.id, self.customer_a.id, self.customer_b.id]), 2)
        self.assertEqual(self.env["ecrm.campaign.program"].browse(program.id).enroll([self.private.id]), 1)

    def test_enrol_refuses_bad_input_cleanly(self):
        program = self.make_program()
        for bad in ([0], [2 ** 31 - 1], ["1"], "1,2", None):
            with self.assertRaises(UserError):
                program.enroll(bad)
        self.assertEqual(program.enroll([]), 0)

    def test_eCRM_users_cannot_enrol(self):
        program = self.make_program()
        user = self.make_user("mkt_user_test", ["ecrm_core.group_ecrm_user"])
        with self.assertRaises(AccessError):
            program.sudo(user).enroll([self.customer_a.id])

    def test_run_answer_marshals_over_xmlrpc(self):
        program = self.make_program()
        program.action_start()
        program.enroll([self.customer_a.id])
        done = program.run()
        xmlrpc.client.dumps((done,), methodresponse=1, allow_none=False)
        self.assertEqual(done, {str(program.step_ids.id): 1})
