# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class EcrmSageExportWizard(models.TransientModel):
    """Preview (dry run) then run an export, through the same call integrators use."""

    _name = "ecrm.sage.export.wizard"
    _description = "Export to Sage"

    backend_id = fields.Many2one("ecrm.sage.backend", required=True)
    kind = fields.Selection([("customers", "Customers"), ("invoices", "Invoices and credit notes")],
                            required=True, default="invoices")
    state = fields.Selection([("choose", "Choose"), ("preview", "Preview"), ("done", "Started")],
                             default="choose")
    exported_count = fields.Integer(readonly=True)
    skipped_text = fields.Text(string="Skipped", readonly=True)
    file = fields.Binary(readonly=True)
    file_name = fields.Char()
    batch_id = fields.Many2one("ecrm.sage.batch", readonly=True)
    batch_state = fields.Selection(related="batch_id.state", string="Batch", readonly=True)

    @api.multi
    def _run(self, dry_run):
        self.ensure_one()
        result = self.env["ecrm.sage.backend"].export_batch(self.backend_id.id, self.kind, dry_run)
        self.write({
            "state": "preview" if dry_run else "done",
            "exported_count": result["exported"],
            "skipped_text": "\n".join("%s: %s" % (item["id"], item["reason"]) for item in result["skipped"]),
            "file": result["file"], "file_name": "sage-%s.csv" % self.kind,
            "batch_id": result["batch_id"],
        })
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "target": "new"}

    @api.multi
    def action_preview(self):
        return self._run(dry_run=True)

    @api.multi
    def action_export(self):
        return self._run(dry_run=False)
