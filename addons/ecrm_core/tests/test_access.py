"""Who may read the eCRM figures and run the recomputes, scans and imports (README "Access")."""
import base64

from odoo.exceptions import AccessError

from .common import InteractionCase

FIGURES = """ecrm_order_count ecrm_revenue ecrm_avg_order_value ecrm_first_order_date ecrm_last_order_date
             ecrm_days_since_last_order ecrm_recency_score ecrm_frequency_score ecrm_monetary_score
             ecrm_rfm_segment ecrm_lifetime_value ecrm_interaction_count ecrm_last_interaction_date
             ecrm_preferred_channel ecrm_data_quality_score ecrm_quality_band ecrm_quality_issues
             ecrm_quality_flagged""".split()
# the same policy for what the other add-ons put on the customer, when they are installed
OTHER_STAFF = """ecrm_visitor_ids sage_binding_ids sage_account_ref sage_balance sage_overdue sage_credit_limit
                 sage_on_hold sage_credit_status sage_balance_date""".split()


class AccessCase(InteractionCase):

    def setUp(self):
        super().setUp()
        self.portal = self.make_user("acc_portal_t", ["base.group_portal"])
        self.employee = self.make_user("acc_employee_t", ["base.group_user", "base.group_partner_manager"])
        self.ecrm_user = self.make_user("acc_user_t", ["ecrm_core.group_ecrm_user", "base.group_partner_manager"])
        self.manager = self.make_user("acc_manager_t", ["ecrm_core.group_ecrm_manager",
                                                        "base.group_partner_manager"])
        self.Partner = self.env["res.partner"]

    def staff_fields(self):
        return FIGURES + [name for name in OTHER_STAFF if name in self.Partner._fields]

    def stale(self, partner):
        """Figures only a recompute corrects, to see whether a refused call wrote anything."""
        self.Interaction.log(self.row(partner_id=partner.id))
        self.env.cr.execute("UPDATE res_partner SET ecrm_interaction_count = 999, ecrm_data_quality_score = 7 "
                            "WHERE id = %s", (partner.id,))
        self.Partner.invalidate_cache()

    def figures(self, partner):
        self.env.cr.execute("SELECT ecrm_interaction_count, ecrm_data_quality_score FROM res_partner "
                            "WHERE id = %s", (partner.id,))
        return self.env.cr.fetchone()

    def assert_still_stale(self, partner):
        self.assertEqual(self.figures(partner), (999, 7), "a refused recompute wrote")

    def assert_recomputed(self, partner, which=(0, 1)):
        figures = self.figures(partner)
        for index in which:
            self.assertNotIn(figures[index], (999, 7), "not recomputed: %r" % (figures,))


class TestStaffFields(AccessCase):

    def test_portal_users_and_plain_employees_cannot_read_or_group_the_figures(self):
        own = self.portal.partner_id
        for user, partner in ((self.portal, own), (self.employee, self.company_partner)):
            as_user = self.Partner.sudo(user)
            self.assertTrue(as_user.browse(partner.id).read(["name"]), "the record itself stays readable")
            for name in self.staff_fields():
                with self.assertRaises(AccessError, msg="%s reads %s" % (user.login, name)):
                    as_user.browse(partner.id).read([name])
                with self.assertRaises(AccessError, msg="%s reads %s" % (user.login, name)):
                    as_user.search_read([("id", "=", partner.id)], [name])
                if self.Partner._fields[name].store and self.Partner._fields[name].type not in ("one2many",
                                                                                               "many2many"):
                    with self.assertRaises(AccessError, msg="%s groups by %s" % (user.login, name)):
                        as_user.read_group([("id", "=", partner.id)], [name], [name])

    def test_ecrm_users_read_the_figures(self):
        values = self.Partner.sudo(self.ecrm_user).browse(self.company_partner.id).read(self.staff_fields())[0]
        self.assertEqual(values["ecrm_data_quality_score"], self.company_partner.ecrm_data_quality_score)

    def test_a_plain_employee_opens_copies_and_edits_customers(self):
        as_employee = self.Partner.sudo(self.employee)
        for view_type in ("form", "tree", "kanban", "search"):
            view = as_employee.fields_view_get(view_type=view_type)
            # the host drops <field> nodes of restricted fields; our filters on them are hidden
            leaked = [name for name in self.staff_fields() if name in view["fields"] or
                      '<field name="%s"' % name in view["arch"]]
            self.assertFalse(leaked, "the %s view shows %s to a plain employee" % (view_type, leaked))
        staff_form = self.Partner.sudo(self.ecrm_user).fields_view_get(view_type="form")
        self.assertIn("ecrm_revenue", staff_form["fields"])
        partner = as_employee.browse(self.company_partner.id)
        partner.write({"email": "office@kirklees.example", "comment": "edited by an employee"})
        copy = partner.copy()
        self.assertEqual(copy.sudo().ecrm_order_count, 0, "a copy starts with no figures of its own")
        created = as_employee.create({"name": "New Customer (access test)", "email": "new@access.example"})
        self.assertTrue(created.sudo().ecrm_quality_band, "its quality is scored as it is created")

    def test_confirming_an_order_as_a_salesman_still_refreshes_the_figures(self):
        salesman = self.make_user("acc_salesman_t", ["sales_team.group_sale_salesman"])
        product = self.env["product.product"].create({"name": "Stairlift (access test)", "list_price": 50.0})
        order = self.env["sale.order"].sudo(salesman).create({
            "partner_id": self.individual.id,
            "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1, "price_unit": 50.0})]})
        order.action_confirm()
        self.individual.invalidate_cache()
        self.assertEqual(self.individual.ecrm_order_count, 1)


class TestRecomputeRights(AccessCase):

    def test_only_ecrm_staff_recompute_given_customers(self):
        self.stale(self.company_partner)
        for user in (self.portal, self.employee):
            as_user = self.Partner.sudo(user)
            for call in (lambda: as_user.ecrm_recompute_360(self.company_partner.ids),
                         lambda: as_user.ecrm_recompute_quality(self.company_partner.ids),
                         lambda: as_user.browse(self.company_partner.ids).action_ecrm_recompute_360()):
                with self.assertRaises(AccessError, msg=user.login):
                    call()
        self.assert_still_stale(self.company_partner)
        as_user = self.Partner.sudo(self.ecrm_user)
        as_user.ecrm_recompute_360(self.company_partner.ids)
        self.assert_recomputed(self.company_partner, which=(0,))
        as_user.ecrm_recompute_quality(self.company_partner.ids)
        self.assert_recomputed(self.company_partner)
        self.stale(self.company_partner)
        as_user.browse(self.company_partner.ids).action_ecrm_recompute_360()
        self.assert_recomputed(self.company_partner, which=(0,))

    def test_customers_the_user_cannot_read_are_refused(self):
        private = self.Partner.create({"name": "Private Address (access test)", "type": "private"})
        self.stale(private)
        with self.assertRaises(AccessError):
            self.Partner.sudo(self.ecrm_user).ecrm_recompute_360(private.ids)
        with self.assertRaises(AccessError):
            self.Partner.sudo(self.ecrm_user).ecrm_recompute_quality(private.ids)
        self.assert_still_stale(private)

    def test_everyone_at_once_is_the_managers(self):
        self.stale(self.company_partner)
        for user in (self.portal, self.employee, self.ecrm_user):
            as_user = self.Partner.sudo(user)
            for call in (as_user.ecrm_recompute_360, as_user.ecrm_recompute_quality, as_user.ecrm_cron_recompute):
                with self.assertRaises(AccessError, msg="%s %s" % (user.login, call.__name__)):
                    call()
        self.assert_still_stale(self.company_partner)
        # the nightly run's page jobs, run at once here
        self.Partner.sudo(self.manager).with_context(test_queue_job_no_delay=True).ecrm_cron_recompute()
        self.assert_recomputed(self.company_partner)
        self.stale(self.company_partner)
        self.Partner.sudo(self.manager).ecrm_recompute_360()
        self.Partner.sudo(self.manager).ecrm_recompute_quality()
        self.assert_recomputed(self.company_partner)

    def test_the_settings_button_is_the_administrators(self):
        self.stale(self.company_partner)
        settings = self.env["res.config.settings"].create({})  # only an administrator opens them
        for user in (self.portal, self.employee, self.ecrm_user, self.manager):
            with self.assertRaises(AccessError, msg=user.login):
                settings.sudo(user).action_ecrm_recompute_360()
        self.assert_still_stale(self.company_partner)
        admin = self.make_user("acc_admin_t", ["base.group_system"])
        action = settings.sudo(admin).with_context(test_queue_job_no_delay=True).action_ecrm_recompute_360()
        self.assertEqual(action["res_model"], "ecrm.recompute.run", "the button opens the run, with its progress")
        self.assert_recomputed(self.company_partner)


class TestInteractionAuthor(AccessCase):

    def test_an_ecrm_user_always_logs_as_themselves(self):
        admin = self.env.ref("base.user_root")
        as_user = self.Interaction.sudo(self.ecrm_user)
        forged = self.row(user_id=admin.id)
        ids = [as_user.log(forged), as_user.log(self.row(user_id=False)), as_user.log(self.row())]
        ids += as_user.log_many([self.row(), forged])
        ids += [as_user.create(forged).id, as_user.create(self.row()).id]
        ids.append(as_user.browse(ids[0]).copy({"user_id": admin.id}).id)
        self.assertEqual(self.Interaction.browse(ids).mapped("user_id"), self.ecrm_user)
        self.assertEqual(forged["user_id"], admin.id, "the caller's values are left alone")

    def test_a_manager_logs_on_behalf_of_a_colleague_and_corrects_entries(self):
        as_manager = self.Interaction.sudo(self.manager)
        new_id = as_manager.log(self.row(user_id=self.ecrm_user.id))
        self.assertEqual(self.Interaction.browse(new_id).user_id, self.ecrm_user)
        self.assertEqual(as_manager.create(self.row(user_id=self.ecrm_user.id)).user_id, self.ecrm_user)
        with self.assertRaises(AccessError):
            self.Interaction.sudo(self.ecrm_user).browse(new_id).write({"subject": "rewritten"})
        as_manager.browse(new_id).write({"subject": "corrected"})
        self.assertEqual(self.Interaction.browse(new_id).subject, "corrected")


class TestDuplicateRights(AccessCase):

    def setUp(self):
        super().setUp()
        self.original = self.Partner.create({"name": "Wakefield Lifts Ltd (acc dup)", "phone": "01924 300400",
                                             "zip": "WF1 2AA", "email": "sales@wakefieldlifts.co.uk"})
        self.variant = self.Partner.create({"name": "WAKEFIELD LIFTS LIMITED (acc dup)", "phone": "+44 1924 300400",
                                            "zip": "WF1 2AA"})
        self.Group = self.env["ecrm.duplicate.group"]

    def test_only_managers_scan_and_merge(self):
        with self.assertRaises(AccessError):
            self.Group.sudo(self.ecrm_user).scan([("name", "ilike", "(acc dup)")])
        self.assertFalse(self.Group.search([("partner_ids", "in", self.original.ids)]))
        self.assertEqual(self.Group.sudo(self.manager).scan([("name", "ilike", "(acc dup)")]), 1)
        group = self.Group.search([("partner_ids", "in", self.original.ids)])
        for user in (self.employee, self.ecrm_user):
            with self.assertRaises(AccessError, msg=user.login):
                group.sudo(user).action_merge()
        self.assertEqual(group.state, "open")
        self.assertTrue(self.variant.exists())
        group.sudo(self.ecrm_user).action_dismiss()
        self.assertEqual(group.state, "dismissed")

    def test_scans_never_pair_customers_of_different_companies(self):
        here = self.env.user.company_id
        other = self.env["res.company"].create({"name": "Humber Access Ltd (acc dup)"})
        self.original.company_id = here
        self.variant.company_id = other
        twin = self.Partner.create({"name": "Wakefield Lifts Ltd (acc dup)", "phone": "01924 300400",
                                    "zip": "WF1 2AA", "company_id": other.id})
        self.Group.scan([("name", "ilike", "(acc dup)")])
        groups = self.Group.search([("partner_ids", "in", (self.original | self.variant | twin).ids)])
        self.assertEqual(groups.mapped("partner_ids"), self.variant | twin, "only the pair within one company")
        self.assertEqual(groups.company_id, other)
        with self.assertRaises(Exception):  # a group across companies is refused outright
            self.Group.create({"partner_ids": [(6, 0, (self.original | self.variant).ids)]})

        ours = self.make_user("acc_here_manager_t", ["ecrm_core.group_ecrm_manager"], company=here)
        theirs = self.make_user("acc_other_manager_t", ["ecrm_core.group_ecrm_manager"], company=other)
        self.assertFalse(self.Group.sudo(ours).search([("id", "=", groups.id)]))
        with self.assertRaises(AccessError):
            self.Group.sudo(ours).browse(groups.id).read(["name"])
        self.assertEqual(self.Group.sudo(theirs).search([("id", "=", groups.id)]), groups)


class TestImportRights(AccessCase):

    def wizard(self, user, data):
        return self.env["ecrm.partner.import"].sudo(user).create(
            {"file": base64.b64encode(data.encode()), "filename": "contacts.csv"})

    def test_dry_run_is_for_ecrm_users_and_commit_for_managers(self):
        data = "Name,Email\nDoris Lumb (test),doris@example.co.uk\n"
        for user in (self.portal, self.employee):
            wizard = self.wizard(user, data)
            with self.assertRaises(AccessError, msg=user.login):
                wizard.action_dry_run()
            self.assertFalse(wizard.sudo().line_ids, "a refused dry run reported matches")
        wizard = self.wizard(self.ecrm_user, data)
        wizard.action_dry_run()
        self.assertEqual(wizard.line_ids.partner_id, self.individual)
        with self.assertRaises(AccessError):
            wizard.action_commit()
        self.wizard(self.manager, data).action_commit()

    def test_matches_only_customers_the_caller_may_read(self):
        hidden = self.Partner.create({"name": "Hidden Home Address (acc import)", "type": "private",
                                      "email": "hidden.home@example.co.uk", "phone": "01484 999111"})
        with self.assertRaises(AccessError):
            hidden.sudo(self.ecrm_user).read(["name"])
        wizard = self.wizard(self.ecrm_user, "Name,Email,Phone\nSomeone Else,hidden.home@example.co.uk,"
                                             "01484 999111\n")
        wizard.action_dry_run()
        line = wizard.line_ids
        self.assertEqual(line.action, "new")
        self.assertFalse(line.sudo().partner_id)
        self.assertFalse(line.sudo().duplicate_of_id)
        # the administrator, who may read it, is told
        wizard = self.wizard(self.env.user, "Name,Email\nSomeone Else,hidden.home@example.co.uk\n")
        wizard.action_dry_run()
        self.assertEqual(wizard.line_ids.partner_id, hidden)
