"""Hostile and broken files through import_file, the integrators' entry point.

Whatever the bytes, the answer is {applied: 0, errors: [{row, message}]} and nothing is
written; a wrong argument (backend, kind, date) is a UserError. Never another exception.
"""
import base64
from unittest.mock import patch

from odoo.exceptions import UserError

from .common import SageCase
from .test_import import HEADER

INBOUND = "odoo.addons.ecrm_sage_bridge.sage_formats.inbound."


class TestHostileImportFiles(SageCase):

    def setUp(self):
        super().setUp()
        self.export("customers")
        self.invoice = self.post_invoice(self.hudd, [100.0])
        self.export("invoices")
        self.good_line = "SA,HUDDERSF,1200,,03/11/2026,%s,BACS,120.00,T9,0.00\r\n" % self.invoice.number

    def counts(self):
        return tuple(self.env[model].search_count([]) for model in (
            "ecrm.sage.receipt", "account.move", "ecrm.interaction", "ecrm.sage.batch",
            "ecrm.sage.balance.snapshot"))

    def receipt_line(self, **cells):
        values = dict(kind="SA", ref="HUDDERSF", date="03/11/2026", reference="BACS 1", details="BACS",
                      amount="5.00")
        values.update(cells)
        return "{kind},{ref},1200,,{date},{reference},{details},{amount},T9,0.00\r\n".format(**values)

    def import_bytes(self, kind, data, dry_run=False):
        return self.Backend.import_file(self.backend.id, kind, base64.b64encode(data), dry_run)

    def assert_refused(self, kind, data, *fragments):
        before = self.counts()
        for dry_run in (True, False):
            result = self.import_bytes(kind, data, dry_run)
            self.assertEqual(set(result), {"applied", "errors", "batch_id", "matched", "unmatched", "state"})
            self.assertEqual((result["applied"], result["batch_id"], result["matched"]), (0, False, 0), data[:200])
            self.assertTrue(result["errors"], "a refusal names its reason")
            for error in result["errors"]:
                self.assertEqual(set(error), {"row", "message"})
                self.assertIsInstance(error["row"], int)
                self.assertTrue(0 < len(error["message"]) < 400, error["message"][:400])
            text = " ".join(error["message"] for error in result["errors"])
            for fragment in fragments:
                self.assertIn(fragment, text)
        self.assertEqual(self.counts(), before)
        self.assertEqual(self.invoice.state, "open")
        return result

    def test_files_that_are_not_sage_csv_text(self):
        good = (HEADER + self.good_line).encode("cp1252")
        self.assert_refused("receipts", good.replace(b"BACS", b"BA\x00CS"), "NUL")
        self.assert_refused("receipts", (HEADER + self.good_line).encode("utf-16"), "UTF-16")
        self.assert_refused("receipts", (HEADER + self.good_line).encode("utf-16-le"), "UTF-16")
        self.assert_refused("balances", "HUDDERSF,1,0,0,No\r\n".encode("utf-16"), "UTF-16")
        for byte in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"):
            result = self.assert_refused("receipts", good.replace(b"BACS,120", b"BACS" + byte + b",120"),
                                         "Windows-1252")
            self.assertEqual(result["errors"][0]["row"], 3)

    def test_amounts_that_are_not_plain_numbers(self):
        for amount in ("1e30", "1E3", "NaN", "-nan", "Infinity", "-Infinity", "sNaN", "1e-30", "9" * 200,
                       "1" * 40, "0x10", "1_000", "\u0661\u0662\u0660", "\"1,2,3\"", "12.50-", "1000000000.00"):
            self.assert_refused("receipts", (HEADER + self.receipt_line(amount=amount)).encode("utf-8"), "amount")
            self.assert_refused("balances", ("HUDDERSF,%s,0,0,No\r\n" % amount).encode("utf-8"), "balance")
        result = self.import_bytes("receipts", (HEADER + self.receipt_line(amount="999,999,999.99")).encode())
        self.assertEqual((result["applied"], result["errors"]), (1, []))

    def test_long_lines_and_cells_never_reach_an_index(self):
        self.assert_refused("receipts", (HEADER + self.receipt_line(reference="R" * 100000)).encode(), "line 3")
        five_mb_line = (HEADER + self.receipt_line(details="D" * 5 * 1024 * 1024)).encode()
        self.assert_refused("receipts", five_mb_line, "takes files of up to 5 MB")
        self.backend.import_max_size = 10
        self.assert_refused("receipts", five_mb_line, "line 3")
        self.assert_refused("receipts", (HEADER + self.receipt_line(reference="R" * 256)).encode(), "column 6")
        self.assert_refused("balances", ("H" * 300 + ",1,0,0,No\r\n").encode(), "column 1")
        self.assert_refused("receipts", (HEADER + '"' + "x" * 200000).encode(), "line")
        accepted = self.import_bytes("receipts", (HEADER + self.receipt_line(reference="R" * 255)).encode())
        self.assertEqual((accepted["applied"], accepted["errors"]), (1, []))

    def test_empty_header_only_and_wrong_layouts(self):
        self.assert_refused("receipts", b"", "no receipts")
        self.assert_refused("balances", b"", "no balances")
        self.assert_refused("receipts", b"\r\n\r\n  \r\n", "no receipts")
        self.assert_refused("receipts", HEADER.encode(), "no receipts")
        self.assert_refused("balances", b"Account Reference,Balance,Credit Limit,Overdue,On Hold\r\n", "no balances")
        self.assert_refused("receipts", b"HUDDERSF,120.00,0,0,No\r\n", "wrong column count")
        self.assert_refused("balances", (HEADER + self.good_line).encode(), "wrong column count")
        self.assert_refused("receipts", (HEADER + self.good_line.replace("\r\n", ",a,b,c,d,e,f\r\n")).encode(),
                            "wrong column count")
        self.assert_refused("receipts", (HEADER + 'SA,HUDDERSF,1200,,03/11/2026,"BACS, unterminated\r\n').encode(),
                            "wrong column count")

    def test_errors_are_listed_up_to_a_hundred_then_counted(self):
        lines = "".join(self.receipt_line(reference="R%d" % number, amount="x") for number in range(5000))
        result = self.assert_refused("receipts", (HEADER + lines).encode(), "4900 more errors not listed")
        self.assertEqual(len(result["errors"]), 101)
        self.assertEqual([error["row"] for error in result["errors"][:2]], [3, 4])

    def test_a_file_over_the_backend_size_limit_is_refused_before_it_is_read(self):
        twenty_mb = (HEADER + self.good_line * (20 * 1024 * 1024 // len(self.good_line))).encode()
        with patch(INBOUND + "decode", side_effect=AssertionError("read a file it should refuse")):
            result = self.assert_refused("receipts", twenty_mb, "takes files of up to 5 MB")
            self.assertEqual(result["errors"][0]["row"], 0)
            self.backend.import_max_size = 1
            self.assert_refused("balances", b"HUDDERSF,1,0,0,No\r\n" * 80000, "up to 1 MB")
        half_mb = (HEADER + self.good_line * (512 * 1024 // len(self.good_line))).encode()
        self.assert_refused("receipts", half_mb, "duplicate transaction")   # under the limit: read, rows checked

    def test_wrong_arguments_are_user_errors(self):
        data = base64.b64encode(b"HUDDERSF,1,0,0,No\r\n")
        for backend_id in ("abc", None, -1, 0, True, 10 ** 12, 1.5, [self.backend.id], 999999):
            with self.assertRaises(UserError, msg=repr(backend_id)):
                self.Backend.import_file(backend_id, "balances", data)
        for kind in ("payments", None, ["receipts"]):
            with self.assertRaises(UserError, msg=repr(kind)):
                self.Backend.import_file(self.backend.id, kind, data)
        with self.assertRaises(UserError):
            self.Backend.import_file(self.backend.id, "balances", data, False, "31/10/2026")
        for garbage in ("%%%", 12, ["a"], "\u00e9t\u00e9"):
            self.assertIn("base64", self.Backend.import_file(self.backend.id, "receipts", garbage)
                          ["errors"][0]["message"])
