from odoo import api, models


class Base(models.AbstractModel):
    """Fields restricted by ``groups=`` stay restricted when grouped or summed.

    Odoo 11's ``read`` refuses a field whose groups the caller lacks, but ``read_group``
    groups by and sums any stored field: an employee without eCRM groups could total the
    customers' revenue in a pivot that ``read`` would refuse. Later Odoo versions check
    there too; this does the same for every model, so the suite's figures on host models
    (``res.partner``, ``utm.campaign``) are guarded by their ``groups=`` alone.
    """
    _inherit = "base"

    @api.model
    def _read_group_raw(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        groupby_names = [groupby] if isinstance(groupby, str) else list(groupby or [])
        if fields:
            self.check_field_access_rights("read", [_field_name(spec) for spec in fields + groupby_names])
        else:
            # the host then aggregates every stored field: only the readable ones
            readable = set(self.check_field_access_rights("read", None))
            fields = [name for name, field in self._fields.items() if field.store and name in readable]
            self.check_field_access_rights("read", [_field_name(spec) for spec in groupby_names])
        return super()._read_group_raw(domain, fields, groupby, offset=offset, limit=limit, orderby=orderby,
                                       lazy=lazy)


def _field_name(spec):
    """'date_order:month' -> 'date_order'."""
    return spec.split(":")[0].strip()
