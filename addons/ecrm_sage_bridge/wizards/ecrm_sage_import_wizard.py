# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class EcrmSageImportWizard(models.TransientModel):
    """Check (dry run) then import a receipts or balances file from Sage 50."""

    _name = "ecrm.sage.import.wizard"
    _description = "Import from Sage"

    backend_id = fields.Many2one("ecrm.sage.backend", required=True)
    kind = fields.Selection([("receipts", "Receipts (SR / SA)"), ("balances", "Customer balances")],
                            required=True, default="receipts")
    file = fields.Binary(required=True)
    balance_date = fields.Date(string="Balances as at",
                               help="The day the Sage 50 balances file is as at (Sage 50's file does not say); "
                                    "empty: today. Earlier days go into the balance history only.")
    file_name = fields.Char()
    state = fields.Selection([("choose", "Choose"), ("checked", "Checked"), ("done", "Imported")],
                             default="choose")
    applied_count = fields.Integer(readonly=True)
    errors_text = fields.Text(string="Errors", readonly=True)
    batch_id = fields.Many2one("ecrm.sage.batch", readonly=True)
    batch_state = fields.Selection(related="batch_id.state", string="Batch", readonly=True)

    @api.multi
    def _run(self, dry_run):
        self.ensure_one()
        result = self.env["ecrm.sage.backend"].import_file(self.backend_id.id, self.kind, self.file, dry_run,
                                                           self.kind == "balances" and self.balance_date)
        self.write({
            "state": "checked" if dry_run or result["errors"] else "done",
            "applied_count": result["applied"],
            "errors_text": "\n".join("row %s: %s" % (e["row"], e["message"]) for e in result["errors"]),
            "batch_id": result["batch_id"],
        })
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "target": "new"}

    @api.multi
    def action_check(self):
        return self._run(dry_run=True)

    @api.multi
    def action_import(self):
        return self._run(dry_run=False)
