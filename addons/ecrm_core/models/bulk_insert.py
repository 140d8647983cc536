# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One INSERT for thousands of rows of a model, for the suite's set-based writers."""


def insert_rows(model, columns, constants=None, unless_stored=None):
    """Insert a row of ``model`` for each position of the ``columns`` lists ({field: [values]}).

    One array parameter per column (unnest), whatever the number of rows; the
    ``constants`` ({field: value}) go on every row, and creator and dates are set
    as ``create`` sets them. Field names come from the callers' code, never from
    input. Nothing else of ``create`` runs: the caller recomputes, checks and
    invalidates what its model needs. Returns the new ids in the order of the rows.

    With ``unless_stored``, a column under a unique constraint, a row whose value is stored
    already (by this transaction or by a concurrent one, which the insert waits for) is
    skipped, as ``ON CONFLICT DO NOTHING`` does; its position gets None. The column's
    non-null values must be distinct within the call.
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
        RETURNING id{returned_key}
    """.format(
        table=model._table,
        names=", ".join('"%s"' % name for name in list(constants) + row_names),
        constants=", ".join("%({})s".format(name) for name in constants),
        separator=", " if constants else "",
        row_columns=", ".join('"%s"' % name for name in row_names),
        arrays=", ".join("%(row_{0})s::{1}[]".format(name, model._fields[name].column_type[1])
                         for name in row_names),
        on_conflict='ON CONFLICT ("%s") DO NOTHING' % unless_stored if unless_stored else "",
        returned_key=', "%s"' % unless_stored if unless_stored else "",
    ), dict(constants, uid=model.env.uid, **{"row_" + name: values for name, values in columns.items()}))
    returned = model.env.cr.fetchall()
    if not unless_stored:
        return [row[0] for row in returned]
    # RETURNING keeps the insertion order, which is the rows' order: walk both together.
    ids, inserted = [], iter(returned)
    pending = next(inserted, None)
    for value in columns[unless_stored]:
        if pending is not None and (value is None or pending[1] == value):
            ids.append(pending[0])
            pending = next(inserted, None)
        else:
            ids.append(None)
    return ids
