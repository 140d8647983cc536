# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).


def migrate(cr, version):
    """Segment ids typed as comma-separated text (11.0.1.0.0) move into the rules' segment picker."""
    if not version:
        return
    cr.execute("""SELECT 1 FROM information_schema.columns
                   WHERE table_name = 'ecrm_personalisation_rule' AND column_name = 'segment_ids_text'""")
    if not cr.fetchone():
        return
    cr.execute(r"""
        INSERT INTO ecrm_rule_segment_rel (rule_id, segment_id)
        SELECT DISTINCT rule.id, part::int
          FROM ecrm_personalisation_rule rule,
               regexp_split_to_table(rule.segment_ids_text, '\s*,\s*') AS part
         WHERE trim(part) ~ '^\d+$'
        ON CONFLICT DO NOTHING
    """)
