# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One INSERT for thousands of rows of a model, for the suite's set-based writers."""


def insert_rows(model, columns, constants=None, on_conflict_do_nothing=None):
    """Insert a row of ``model`` for each position of the ``columns`` lists ({field: [values]}).

    One array parameter per column (unnest), whatever the number of rows; the
    ``constants`` ({field: value}) go on every row, and creator and dates are set
    as ``create`` sets them. Field names come from the callers' code, never from
    input. Nothing else of ``create`` runs: the caller recomputes, checks and
    invalidates what its model needs. Returns the new ids in the order of the rows.

    With ``on_conflict_do_nothing`` (the columns of a unique constraint), a row that
    conflicts with a stored one is left out instead of raising an IntegrityError; under
    Odoo's REPEATABLE READ a conflict with a row this snapshot cannot see is a serialization
    failure, retried by the caller's machinery. Callers leave out the rows they can see.
    """
    constants = constants or {}
    row_names = list(columns)
    model.env.cr.execute("""
        INSERT INTO "{table}" ({names}, create_uid, create_date, write_uid, write_date)
        SELECT {constants}{separator}{row_columns},
               %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
          FROM unnest({arrays}) WITH ORDINALITY AS new_row({row_columns}, position)
         ORDER BY position
        {on_conflict}
        RETURNING id
    """.format(
        table=model._table,
        names=", ".join('"%s"' % name for name in list(constants) + row_names),
        constants=", ".join("%({})s".format(name) for name in constants),
        separator=", " if constants else "",
        row_columns=", ".join('"%s"' % name for name in row_names),
        arrays=", ".join("%(row_{0})s::{1}[]".format(name, model._fields[name].column_type[1])
                         for name in row_names),
        on_conflict="ON CONFLICT (%s) DO NOTHING" % ", ".join('"%s"' % name for name in on_conflict_do_nothing)
        if on_conflict_do_nothing else "",
    ), dict(constants, uid=model.env.uid, **{"row_" + name: values for name, values in columns.items()}))
    return [row[0] for row in model.env.cr.fetchall()]
