"""Property-based tests of the contact import readers: CSV (generic and Outlook exports) and
vCard. Inputs are random bytes and text, the readers' real samples and those samples mutated.
Two outcomes only: rows of partner values (text, or True for is_company) and per-row reasons,
or ImportFileError with a message a person can act on. Nothing else may escape to the wizard.
"""
import pytest
from hypothesis import example, given, settings, strategies as st

from odoo.addons.ecrm_core.contact_import import reading

from .test_contact_import_reading import OUTLOOK

pytestmark = pytest.mark.fuzz

PER_KIND = settings(max_examples=max(1, settings.default.max_examples // 3))
GENERIC = "Name,Email,Phone,Postcode,Company\r\nDoris Lumb,doris@example.co.uk,01756 700000,BD23 1JD,\r\n" \
          ",,,,\"Craven Mobility, Skipton\"\r\n"
VCARDS = ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Priya Sharma\r\nORG:Leeds Community Healthcare\r\nTITLE:Buyer\r\n"
          "EMAIL;TYPE=INTERNET:priya.sharma@example.nhs.uk\r\nTEL;TYPE=CELL:07700 900123\r\n"
          "ADR;TYPE=WORK:;;Stockdale House;Leeds;;LS6 1PF;United Kingdom\r\nEND:VCARD\r\n"
          "BEGIN:VCARD\r\nVERSION:3.0\r\nORG:Pennine Stairlifts Ltd\r\nTEL:01422 355000\r\nEND:VCARD\r\n")
SAMPLES = [OUTLOOK.encode("utf-8"), OUTLOOK.encode("cp1252"), GENERIC.encode("utf-8-sig"), VCARDS.encode("utf-8")]
HOSTILE = [b"\x00", b"\xff\xfe", b"\"", b",", b";", b"\t", b"\r", b"\n", b"=cmd|' /C calc'!A0", b"BEGIN:VCARD",
           b"END:VCARD", b":", b"\\", b"\xc3", b"\x81", b"=0D=0A", b"ENCODING=QUOTED-PRINTABLE:"]


def read(data, encoding="utf-8", as_vcard=False):
    """What the import wizard does with an upload; returns the rows or None for a refusal."""
    try:
        text = reading.decode(data, encoding)
        if as_vcard:
            rows = reading.read_vcards(text)
        else:
            header, rows = reading.read_csv(text)
            mapping = reading.guess_mapping(header)
            outlook = reading.is_outlook(header)
            rows = [(line, reading.row_values(raw, mapping, outlook) if raw is not None else None, reason)
                    for line, raw, reason in rows]
    except reading.ImportFileError as error:
        assert str(error).strip(), "a refusal without a message"
        return None
    for line, values, reason in rows:
        assert isinstance(line, int)
        assert (values is None) != (reason is None), "a row is either values or a reason"
        for key, value in (values or {}).items():
            if key == "_raw":
                assert all(isinstance(raw, str) for raw in value.values())
            else:
                assert key in reading.PARTNER_FIELDS, key
                assert isinstance(value, str) or (key == "is_company" and value is True), (key, value)
    return rows


def mutate(data, draw):
    for _round in range(draw(st.integers(min_value=1, max_value=3))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "truncate", "duplicate"]))
        position = draw(st.integers(min_value=0, max_value=len(data)))
        if kind == "insert":
            data = data[:position] + draw(st.one_of(st.binary(min_size=1, max_size=12), st.sampled_from(HOSTILE))) \
                + data[position:]
        elif kind == "delete":
            data = data[:position] + data[position + draw(st.integers(min_value=1, max_value=40)):]
        elif kind == "replace":
            data = data[:position] + draw(st.sampled_from(HOSTILE)) + data[position + 1:]
        elif kind == "truncate":
            data = data[:position]
        else:
            end = min(len(data), position + draw(st.integers(min_value=1, max_value=200)))
            data = data[:end] + data[position:end] + data[end:]
    return data


@pytest.mark.parametrize("as_vcard", [False, True], ids=["csv", "vcard"])
@PER_KIND
@given(data=st.binary(max_size=2048), encoding=st.sampled_from(["utf-8", "cp1252", "latin-1"]))
@example(data=b"", encoding="utf-8")
def test_random_bytes(as_vcard, data, encoding):
    read(data, encoding, as_vcard)


@pytest.mark.parametrize("as_vcard", [False, True], ids=["csv", "vcard"])
@PER_KIND
@given(text=st.text(max_size=1024))
def test_random_text(as_vcard, text):
    read(text.encode("utf-8", "surrogatepass"), "utf-8", as_vcard)


@pytest.mark.parametrize("as_vcard", [False, True], ids=["csv", "vcard"])
@PER_KIND
@given(data=st.data())
def test_mutated_samples(as_vcard, data):
    sample = data.draw(st.sampled_from(SAMPLES[3:] if as_vcard else SAMPLES[:3]))
    read(mutate(sample, data.draw), data.draw(st.sampled_from(["utf-8", "cp1252"])), as_vcard)


def test_the_samples_read():
    assert [values["name"] for _line, values, _reason in read(SAMPLES[0])] == ["Priya Sharma",
                                                                               "Pennine Stairlifts Ltd"]
    assert [values["name"] for _line, values, _reason in read(SAMPLES[2])] == ["Doris Lumb",
                                                                               "Craven Mobility, Skipton"]
    assert [values["name"] for _line, values, _reason in read(SAMPLES[3], as_vcard=True)] == [
        "Priya Sharma", "Pennine Stairlifts Ltd"]


def test_a_file_of_a_hundred_thousand_columns_is_refused_at_once():
    data = ("Name," + ",".join("c%d" % number for number in range(100000)) + "\r\nDoris,1\r\n").encode()
    with pytest.raises(reading.ImportFileError) as caught:
        reading.read_csv(reading.decode(data))
    assert "The file has 100001 columns; a contact file has at most 250" in str(caught.value)


def test_a_comma_in_an_organisation_or_address_is_kept_as_text():
    """Found by the long run: vobject splits ORG and ADR parts at commas into nested lists."""
    text = ("BEGIN:VCARD\r\nVERSION:3.0\r\nORG:,Pennine Stairlifts, Halifax;Sales\r\n"
            "ADR;TYPE=WORK:;;Mill Yard, Unit 4;Halifax;;HX3 6AA;United Kingdom\r\nEND:VCARD\r\n")
    [(_line, values, _reason)] = read(text.encode(), as_vcard=True)
    assert values["name"] == "Pennine Stairlifts Halifax Sales" and values["is_company"] is True
    assert values["street"] == "Mill Yard Unit 4" and values["zip"] == "HX3 6AA"
