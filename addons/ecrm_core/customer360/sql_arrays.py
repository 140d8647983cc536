"""PostgreSQL array literals ('{1,2,NULL}') for bulk statements.

One literal per column is parsed by the server as a single value; a Python
list would be sent as ARRAY[...] with one expression per element, which costs
far more to parse at tens of thousands of rows.
"""


def _element(value):
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')


def array_literal(values):
    return "{%s}" % ",".join(_element(value) for value in values)
