import pytest

from odoo.addons.ecrm_core.contact_import import reading

OUTLOOK = (
    "First Name,Middle Name,Last Name,Company,Job Title,Business Street,Business City,"
    "Business Postal Code,Business Country/Region,Business Phone,Mobile Phone,E-mail Address\r\n"
    "Priya,,Sharma,Leeds Community Healthcare,Equipment Manager,Stockdale House,Leeds,LS6 1PF,"
    "United Kingdom,0113 220 8512,,priya.sharma@example.nhs.uk\r\n"
    ",,,Pennine Stairlifts Ltd,,Mill Yard,Halifax,HX3 6AA,United Kingdom,01422 355000,,\r\n"
)


def test_outlook_export_maps_names_companies_and_addresses():
    header, rows = reading.read_csv(reading.decode(OUTLOOK.encode("utf-8")))
    assert reading.is_outlook(header)
    mapping = reading.guess_mapping(header)
    first = reading.row_values(rows[0][1], mapping, outlook=True)
    assert first["name"] == "Priya Sharma" and first["zip"] == "LS6 1PF"
    assert first["email"] == "priya.sharma@example.nhs.uk" and first["company_name"] == "Leeds Community Healthcare"
    second = reading.row_values(rows[1][1], mapping, outlook=True)
    assert second["name"] == "Pennine Stairlifts Ltd" and second["is_company"] is True
    assert [line for line, _raw, _reason in rows] == [2, 3]


def test_bom_semicolons_and_generic_headers():
    data = "\ufeffName;Email;Postcode\nDoris Lumb;doris@example.co.uk;BD23 1JD\n".encode("utf-8")
    header, rows = reading.read_csv(reading.decode(data))
    assert header == ["Name", "Email", "Postcode"]
    values = reading.row_values(rows[0][1], reading.guess_mapping(header))
    assert values == {"name": "Doris Lumb", "email": "doris@example.co.uk", "zip": "BD23 1JD"}


def test_row_with_too_many_cells_is_rejected_with_its_line():
    header, rows = reading.read_csv("Name,Email\nA,a@b.co\nB,b@b.co,extra\n")
    assert rows[1] == (3, None, "has 3 cells but the header has 2 columns")


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    ("Name,Email\nJos\xe9,j@x.co\n".encode("cp1252"), "Windows (cp1252)"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "not a text file"),
    (b"Doris Lumb,doris@example.co.uk\nHarold,h@example.com\n", "No header row"),
    (b"x" * (reading.MAX_BYTES + 1), "the limit is"),
])
def test_bad_files_are_refused_whole(data, message):
    with pytest.raises(reading.ImportFileError) as caught:
        reading.read_csv(reading.decode(data))
    assert message in str(caught.value)


def test_cp1252_when_chosen():
    header, rows = reading.read_csv(reading.decode("Name,Email\nJos\xe9,j@x.co\n".encode("cp1252"), "cp1252"))
    assert rows[0][1]["Name"] == "José"


def test_vcards():
    text = ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Gareth Evans\r\nORG:Willow Bank Care Home Ltd\r\n"
            "TITLE:Home Manager\r\nEMAIL;TYPE=INTERNET:gareth@willowbank.co.uk\r\n"
            "TEL;TYPE=CELL:07700 900123\r\nADR;TYPE=WORK:;;14 Station Road;Harrogate;;HG1 1SS;United Kingdom\r\n"
            "END:VCARD\r\n")
    ((number, values, reason),) = reading.read_vcards(text)
    assert reason is None
    assert values["name"] == "Gareth Evans" and values["mobile"] == "07700 900123"
    assert values["zip"] == "HG1 1SS" and values["company_name"] == "Willow Bank Care Home Ltd"
    with pytest.raises(reading.ImportFileError):
        reading.read_vcards("BEGIN:VCARD\r\nFN:broken")


def test_formula_cells_are_neutralised_on_export():
    out = reading.rejects_csv(["Name"], [(2, {"Name": "=cmd|' /C calc'!A0"}, "@SUM(1)")]).decode("utf-8-sig")
    assert out.splitlines()[1] == "2,'@SUM(1),'=cmd|' /C calc'!A0"
