import importlib.util
import os

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import mute_logger

from ..timeline import host_events
from .common import InteractionCase


def end_migration(version):
    """The module's end-migrate script of ``version``, loaded as Odoo's migration manager does."""
    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations", version, "end-migrate.py")
    spec = importlib.util.spec_from_file_location("ecrm_core_end_migrate_%s" % version.replace(".", "_"), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TestInteractionTypes(InteractionCase):

    def setUp(self):
        super().setUp()
        self.Type = self.env["ecrm.interaction.type"]
        self.call = self.env.ref("ecrm_core.interaction_type_call")
        self.salesperson = self.make_user("types_user_t", ["base.group_user", "ecrm_core.group_ecrm_user"])

    def test_staff_log_a_call_by_picking_its_type(self):
        """What the form sends when a salesperson picks "Phone call": a type id, no code."""
        form = self.Interaction.sudo(self.salesperson).new({"partner_id": self.contact.id, "type_id": self.call.id})
        form._onchange_type_id()
        self.assertEqual((form.channel, form.interaction_type), ("phone", "call"))
        interaction = self.Interaction.sudo(self.salesperson).create({
            "partner_id": self.contact.id, "type_id": self.call.id, "channel": form.channel,
            "direction": "outbound", "subject": "Rang about the stairlift service"})
        self.assertEqual((interaction.type_id, interaction.interaction_type), (self.call, "call"))
        self.assertEqual(interaction.type_id.name, "Phone call")

    def test_the_form_without_channel_takes_the_types_channel(self):
        interaction = self.Interaction.create({"partner_id": self.contact.id, "type_id": self.call.id})
        self.assertEqual(interaction.channel, "phone")

    def test_a_create_without_direction_takes_the_types_direction_and_a_write_keeps_it(self):
        order_confirmed = self.env.ref("ecrm_core.interaction_type_order_confirmed")
        self.assertEqual(order_confirmed.direction, "outbound")
        interaction = self.Interaction.create({"partner_id": self.contact.id, "type_id": order_confirmed.id})
        self.assertEqual(interaction.direction, "outbound", "as log_many gives it, not the field's default")
        said = self.Interaction.create({"partner_id": self.contact.id, "type_id": order_confirmed.id,
                                        "direction": "inbound"})
        self.assertEqual(said.direction, "inbound", "a direction given wins")
        inbound_type = self.env.ref("ecrm_core.interaction_type_email_received")
        self.assertEqual(inbound_type.direction, "inbound")
        interaction.write({"type_id": inbound_type.id})
        self.assertEqual(interaction.direction, "outbound", "a write changes the type, not the direction")

    def test_a_code_logged_over_the_api_finds_its_type(self):
        interaction = self.Interaction.browse(self.Interaction.log(self.row(interaction_type="call")))
        self.assertEqual(interaction.type_id, self.call)
        order_confirmed = self.env.ref("ecrm_core.interaction_type_order_confirmed")
        interaction = self.Interaction.browse(self.Interaction.log(
            {"partner_id": self.contact.id, "interaction_type": "order_confirmed"}))
        self.assertEqual((interaction.type_id, interaction.channel, interaction.direction),
                         (order_confirmed, "other", "outbound"), "the type's usual channel and direction")

    def test_an_unknown_code_is_refused_with_a_suggestion_and_nothing_is_logged(self):
        before = self.Interaction.search_count([])
        with self.assertRaises(ValidationError) as caught:
            self.Interaction.log_many([self.row(), self.row(interaction_type="call_mee")])
        self.assertIn("row 1: unknown interaction_type 'call_mee' (did you mean call_me", caught.exception.name)
        self.assertIn("Configuration > Interaction Types", caught.exception.name)
        self.assertEqual(self.Interaction.search_count([]), before)
        with self.assertRaisesRegex(ValidationError, "unknown interaction_type 'no_such_type'"):
            self.Interaction.create({"partner_id": self.contact.id, "channel": "phone",
                                     "interaction_type": "no_such_type"})

    def test_a_type_added_by_a_manager_can_be_logged_at_once(self):
        with self.assertRaisesRegex(ValidationError, "unknown interaction_type 'stand_visit'"):
            self.Interaction.log(self.row(interaction_type="stand_visit"))
        manager = self.make_user("types_manager_t", ["base.group_user", "ecrm_core.group_ecrm_manager"])
        stand_visit = self.Type.sudo(manager).create(
            {"code": "stand_visit", "name": "Visited our stand", "channel": "meeting"})
        interaction = self.Interaction.browse(self.Interaction.log(
            {"partner_id": self.contact.id, "interaction_type": "stand_visit"}))
        self.assertEqual((interaction.type_id, interaction.channel), (stand_visit, "meeting"))

    def test_changing_an_entrys_type_keeps_its_code_in_step(self):
        interaction = self.Interaction.browse(self.Interaction.log(self.row()))
        meeting = self.env.ref("ecrm_core.interaction_type_meeting")
        interaction.write({"type_id": meeting.id})
        self.assertEqual(interaction.interaction_type, "meeting")
        interaction.write({"interaction_type": "call"})
        self.assertEqual(interaction.type_id, self.call)

    def test_a_used_types_code_cannot_change_nor_the_type_be_deleted(self):
        self.Interaction.log(self.row(interaction_type="call"))
        with self.assertRaisesRegex(UserError, "cannot change once interactions use it"):
            self.call.code = "phone_call"
        with self.assertRaisesRegex(UserError, "archive the type instead"):
            self.call.unlink()
        self.call.write({"code": "call", "name": "Telephone call"})  # the label is the company's to choose
        self.call.active = False
        self.Interaction.log(self.row(interaction_type="call"))   # integrators' calls still land
        unused = self.Type.create({"code": "unused_type", "name": "Unused"})
        unused.code = "still_unused"
        unused.unlink()

    def test_type_codes_are_codes_and_unique(self):
        with self.assertRaisesRegex(ValidationError, "must be a lower-case code"):
            self.Type.create({"code": "Phone Call", "name": "Phone call"})
        with mute_logger("odoo.sql_db"), self.assertRaises(Exception):
            with self.env.cr.savepoint():
                self.Type.create({"code": "call", "name": "Another call"})

    def test_staff_read_the_types_and_only_managers_change_them(self):
        self.assertIn(self.call, self.Type.sudo(self.salesperson).search([("staff_log", "=", True)]))
        with self.assertRaises(AccessError):
            self.Type.sudo(self.salesperson).create({"code": "my_type", "name": "Mine"})
        with self.assertRaises(AccessError):
            self.call.sudo(self.salesperson).write({"name": "Renamed"})
        no_ecrm = self.make_user("types_plain_t", ["base.group_user"])
        with self.assertRaises(AccessError):
            self.Type.sudo(no_ecrm).search([])

    def test_what_the_host_and_consent_log_has_a_type(self):
        codes = {kind.code for kind in host_events.ALL_KINDS}
        codes |= {"consent_unknown", "consent_opted_in", "consent_opted_out", "imported"}
        shipped = set(self.Type.with_context(active_test=False).search([("code", "in", list(codes))]).mapped("code"))
        self.assertEqual(codes - shipped, set())
        system_types = self.Type.search([("code", "in", list(codes)), ("staff_log", "=", True)])
        self.assertEqual(system_types.mapped("code"), ["call", "email_sent", "email_received", "meeting"],
                         "of what the host logs, only the everyday contacts are offered to staff")

    def test_the_upgrade_gives_every_code_on_the_timeline_a_type(self):
        """Timeline entries of 11.0.1.5.0 carry a code only; the end script registers and links them."""
        interaction = self.Interaction.browse(self.Interaction.log(self.row()))
        self.env.cr.execute("UPDATE ecrm_interaction SET interaction_type = 'legacy_visit', type_id = NULL, "
                            "channel = 'meeting' WHERE id = %s", (interaction.id,))
        end_migration("11.0.1.6.0").migrate(self.env.cr, "11.0.1.5.0")
        interaction.invalidate_cache()
        legacy = self.Type.search([("code", "=", "legacy_visit")])
        self.assertEqual((legacy.name, legacy.channel, legacy.staff_log), ("Legacy visit", "meeting", True))
        self.assertEqual(interaction.type_id, legacy)
        self.env.cr.execute("SELECT count(*) FROM ecrm_interaction WHERE type_id IS NULL")
        self.assertEqual(self.env.cr.fetchone()[0], 0)


class TestTimelineFeed(InteractionCase):

    def test_every_channel_has_an_icon_and_the_source_is_one_click_away(self):
        from ..models.ecrm_interaction import CHANNEL_ICONS
        from ..timeline.rows import CHANNELS
        self.assertEqual(set(CHANNEL_ICONS), set(CHANNELS))
        order = self.env["sale.order"].create({"partner_id": self.company_partner.id})
        with_source, without = self.Interaction.browse(self.Interaction.log_many([
            self.row(channel="eprocurement", interaction_type="order_received", res_model="sale.order",
                     res_id=order.id),
            self.row()]))
        self.assertEqual(with_source.channel_icon, "fa-exchange")
        self.assertEqual(with_source.source_url, "/web#model=sale.order&id=%d" % order.id)
        self.assertFalse(without.source_url)
        order.unlink()
        with_source.invalidate_cache()
        self.assertFalse(with_source.source_url, "no link to a deleted document")

    def test_a_customers_timeline_opens_as_the_feed_newest_first(self):
        older, newer = self.Interaction.log_many([self.row(date="2026-01-05"), self.row(date="2026-03-01")])
        action = self.company_partner.action_view_ecrm_interactions()
        self.assertEqual(action["views"][0][1], "kanban")
        self.assertEqual({view for _, view in action["views"]}, {"kanban", "tree", "form", "calendar", "pivot", "graph"})
        self.assertEqual(self.Interaction.search(action["domain"]).ids[:2], [newer, older])
        self.assertEqual(self.company_partner.ecrm_recent_interaction_ids.ids[:2], [newer, older])

    def test_a_salesperson_sees_the_entry_but_not_a_colleagues_order(self):
        colleague = self.make_user("feed_colleague_t", ["base.group_user", "sales_team.group_sale_salesman"])
        salesperson = self.make_user("feed_salesperson_t", ["base.group_user", "sales_team.group_sale_salesman",
                                                            "ecrm_core.group_ecrm_user"])
        order = self.env["sale.order"].create({"partner_id": self.company_partner.id, "user_id": colleague.id})
        entry = self.Interaction.log(self.row(channel="eprocurement", interaction_type="order_received",
                                              res_model="sale.order", res_id=order.id))
        seen = self.Interaction.sudo(salesperson).browse(entry)
        self.assertEqual(seen.type_id.name, "Order received")
        self.assertFalse(seen.source_ref or seen.source_url, "no link, and no name, the user may not read")
        self.assertEqual(self.Interaction.browse(entry).source_ref, order)
        # the customer's form with its feed reads without an access error
        self.company_partner.sudo(salesperson).read(["ecrm_recent_interaction_ids"])
        seen.read(["source_ref", "source_url", "channel_icon"])
