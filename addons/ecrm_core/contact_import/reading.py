"""Turn an uploaded contact file into rows of partner values, or refuse it with a reason a person can act on."""
import csv
import io

import vobject

MAX_BYTES = 10 * 1024 * 1024
# Outlook's own export has 92 columns; a file far wider is not a contact list (100,000
# columns took 81 s to dry-run, one mapping row per column).
MAX_COLUMNS = 250
PARTNER_FIELDS = ("name", "is_company", "company_name", "function", "email", "phone", "mobile",
                  "street", "street2", "city", "zip", "country", "vat", "website")

# Outlook's "Comma Separated Values" contact export (business address preferred, home as fallback).
OUTLOOK_COLUMNS = {
    "e-mail address": "email", "business phone": "phone", "mobile phone": "mobile",
    "home phone": "phone", "business street": "street", "business street 2": "street2",
    "business city": "city", "business postal code": "zip", "business country/region": "country",
    "home street": "street", "home city": "city", "home postal code": "zip",
    "home country/region": "country", "job title": "function", "company": "company_name",
    "web page": "website",
}
OUTLOOK_NAME_PARTS = ("first name", "middle name", "last name")
# Header spellings understood without a mapping.
GENERIC_ALIASES = {
    "name": "name", "full name": "name", "customer": "name", "contact": "name", "company": "company_name",
    "organisation": "company_name", "organization": "company_name", "email": "email", "e-mail": "email",
    "email address": "email", "phone": "phone", "telephone": "phone", "tel": "phone", "mobile": "mobile",
    "street": "street", "address": "street", "address 1": "street", "address line 1": "street",
    "address 2": "street2", "address line 2": "street2", "street2": "street2", "city": "city",
    "town": "city", "zip": "zip", "postcode": "zip", "post code": "zip", "postal code": "zip",
    "country": "country", "vat": "vat", "vat number": "vat", "job title": "function",
    "function": "function", "website": "website",
}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ImportFileError(ValueError):
    """The whole file is unusable; nothing may be imported from it."""


def decode(data, encoding="utf-8"):
    if not data:
        raise ImportFileError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise ImportFileError("The file is %.1f MB; the limit is %d MB. Split it and import the parts."
                              % (len(data) / 1048576.0, MAX_BYTES // 1048576))
    if b"\x00" in data[:65536]:
        raise ImportFileError("This is not a text file (it contains binary data). Export the contacts "
                              "as CSV or vCard and try again.")
    try:
        return data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError as error:
        raise ImportFileError(
            "The file is not valid %s (byte %d). If it came from Outlook or Excel on Windows, choose the "
            "encoding 'Windows (cp1252)' and try again." % (encoding.upper(), error.start))


def read_csv(text):
    """(header, rows as dicts) of a CSV text; refuses a file without a recognisable header."""
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = [column.strip() for column in next(reader)]
    except StopIteration:
        raise ImportFileError("The file is empty.")
    except csv.Error as error:
        raise ImportFileError("The file is not readable CSV: %s." % error)
    if len(header) > MAX_COLUMNS:
        raise ImportFileError("The file has %d columns; a contact file has at most %d. Check that it is the "
                              "right file and that its separator is a comma or semicolon."
                              % (len(header), MAX_COLUMNS))
    known = {column.lower() for column in header} & (set(GENERIC_ALIASES) | set(OUTLOOK_COLUMNS)
                                                      | set(OUTLOOK_NAME_PARTS))
    if not known:
        raise ImportFileError(
            "No header row found: the first line must name the columns, e.g. Name, Email, Phone, "
            "Postcode (or an Outlook export with First Name, Last Name, E-mail Address).")
    rows = []
    try:
        for line_no, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header):
                rows.append((line_no, None, "has %d cells but the header has %d columns"
                             % (len(cells), len(header))))
                continue
            rows.append((line_no, dict(zip(header, (cell.strip() for cell in cells))), None))
    except csv.Error as error:
        raise ImportFileError("The file is not readable CSV near line %d: %s." % (reader.line_num, error))
    return header, rows


def is_outlook(header):
    lowered = {column.lower() for column in header}
    return "e-mail address" in lowered and bool(lowered & set(OUTLOOK_NAME_PARTS))


def guess_mapping(header):
    """Column -> partner field for the columns whose names we recognise."""
    table = OUTLOOK_COLUMNS if is_outlook(header) else GENERIC_ALIASES
    mapping = {}
    for column in header:
        field = table.get(column.lower())
        if field and field not in mapping.values():
            mapping[column] = field
    return mapping


def row_values(raw, mapping, outlook=False):
    """Partner values of one row: mapped columns, Outlook name parts joined, company-only rows as companies."""
    values = {field: raw.get(column, "") for column, field in mapping.items() if raw.get(column, "")}
    if outlook and not values.get("name"):
        lowered = {key.lower(): value for key, value in raw.items()}
        values["name"] = " ".join(lowered.get(part, "") for part in OUTLOOK_NAME_PARTS if lowered.get(part))
    if not values.get("name") and values.get("company_name"):
        values["name"] = values.pop("company_name")
        values["is_company"] = True
    return values


def read_vcards(text):
    """Rows of partner values from a vCard file (one row per card)."""
    try:
        cards = list(vobject.readComponents(text, ignoreUnreadable=False))
    except Exception as error:  # vobject raises a zoo of parse errors
        raise ImportFileError("The vCard file is not readable: %s" % error)
    if not cards:
        raise ImportFileError("No contact cards (BEGIN:VCARD ... END:VCARD) found in the file.")
    rows = []
    for number, card in enumerate(cards, start=1):
        if card.name != "VCARD":
            rows.append((number, None, "is a %s, not a contact card" % card.name))
            continue
        contents = card.contents
        values = {"name": _first(contents, "fn")}
        if _first(contents, "org"):
            values["company_name"] = _flat(contents["org"][0].value)
        values["function"] = _first(contents, "title")
        values["email"] = _first(contents, "email")
        for tel in contents.get("tel", []):
            kinds = {kind.lower() for kind in tel.params.get("TYPE", [])}
            values["mobile" if "cell" in kinds else "phone"] = tel.value
        if contents.get("adr"):
            address = contents["adr"][0].value
            values.update(street=_flat(address.street), city=_flat(address.city), zip=_flat(address.code),
                          country=_flat(address.country))
        values = {key: value.strip() for key, value in values.items() if isinstance(value, str) and value.strip()}
        if not values.get("name") and values.get("company_name"):
            values["name"] = values.pop("company_name")
            values["is_company"] = True
        raw = {key: str(value) for key, value in values.items()}
        rows.append((number, dict(values, _raw=raw), None))
    return rows


def _flat(value):
    """A vCard value as one text: ORG and ADR parts split at ';' and ',' come back as (nested) lists."""
    if isinstance(value, (list, tuple)):
        return " ".join(part for part in (_flat(item).strip() for item in value) if part)
    return value if isinstance(value, str) else ""


def _first(contents, key):
    items = contents.get(key)
    return items[0].value if items else None


def escape_cell(value):
    """Neutralise spreadsheet formulas (=cmd|...) in a cell written to a CSV we hand out."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def rejects_csv(header, rejected):
    """CSV bytes of rejected rows (raw dicts) with a leading Reason column, formulas neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Line", "Reason"] + [escape_cell(column) for column in header])
    for line_no, raw, reason in rejected:
        writer.writerow([line_no, escape_cell(reason)] + [escape_cell((raw or {}).get(column, "")) for column in header])
    return out.getvalue().encode("utf-8-sig")
