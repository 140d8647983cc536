from odoo.exceptions import UserError

from .common import SageCase

HEADER = "Company,TESTCO\r\nType,Account Reference,Nominal A/C Ref,Department Code,Date,Reference,Details," \
         "Net Amount,Tax Code,Tax Amount\r\n"


class TestImport(SageCase):

    def setUp(self):
        super().setUp()
        self.export("customers")
        self.invoice = self.post_invoice(self.hudd, [100.0])          # 120.00 with VAT
        self.other = self.post_invoice(self.wake, [50.0])             # 60.00
        self.export("invoices")

    def counts(self):
        return tuple(self.env[model].search_count([]) for model in (
            "ecrm.sage.receipt", "account.payment", "ecrm.interaction", "ecrm.sage.batch"))

    def test_receipts_matched_by_reference_then_amount_become_payments(self):
        result = self.import_csv("receipts", HEADER +
                                 "SA,HUDDERSF,1200,,03/11/2026,%s,BACS,120.00,T9,0.00\r\n" % self.invoice.number +
                                 "SA,WAKEFIEL,1200,,04/11/2026,CHQ 1001,Cheque,60.00,T9,0.00\r\n" +
                                 "SA,WAKEFIEL,1200,,05/11/2026,CHQ 1002,Cheque,7.50,T9,0.00\r\n")
        self.assertEqual((result["applied"], result["errors"], result["matched"], result["unmatched"]), (3, [], 2, 1))
        self.assertEqual((self.invoice.state, self.other.state), ("paid", "paid"))
        receipts = self.env["ecrm.sage.receipt"].search([("batch_id", "=", result["batch_id"])], order="date")
        self.assertEqual(receipts.mapped("match_method"), ["reference", "amount", False])
        self.assertEqual(receipts.mapped("state"), ["matched", "matched", "unmatched"])
        self.assertEqual(receipts[0].move_id.state, "posted")
        self.assertEqual(receipts[0].move_id.journal_id.type, "bank")
        self.assertTrue(receipts[0].move_line_id.reconciled)
        self.assertEqual(receipts[0].move_line_id.full_reconcile_id,
                         self.invoice.move_id.line_ids.filtered("reconciled").full_reconcile_id)
        logged = self.env["ecrm.interaction"].search([("res_model", "=", "ecrm.sage.receipt"),
                                                      ("res_id", "in", receipts.ids)])
        self.assertEqual(len(logged), 3)
        self.assertEqual(set(logged.mapped("channel")), {"ledger"})

    def test_days_of_receipts_are_one_bank_entry_each_with_a_line_pair_per_receipt(self):
        third = self.post_invoice(self.hudd, [10.0])                  # 12.00
        self.export("invoices")
        result = self.import_csv("receipts", HEADER +
                                 "SR,HUDDERSF,1200,,03/11/2026,%s,BACS,120.00,T9,0.00\r\n" % self.invoice.number +
                                 "SR,WAKEFIEL,1200,,03/11/2026,%s,BACS,60.00,T9,0.00\r\n" % self.other.number +
                                 "SR,HUDDERSF,1200,,04/11/2026,%s,BACS,12.00,T9,0.00\r\n" % third.number)
        receipts = self.env["ecrm.sage.receipt"].search([("batch_id", "=", result["batch_id"])])
        moves = receipts.mapped("move_id")
        self.assertEqual(sorted(moves.mapped("date")), ["2026-11-03", "2026-11-04"])
        self.assertEqual(len(moves.mapped("line_ids")), 6)
        self.assertEqual(set(moves.mapped("state")), {"posted"})
        self.assertEqual({self.invoice.state, self.other.state, third.state}, {"paid"})
        liquidity = moves.mapped("line_ids").filtered(lambda line: line.account_id.internal_type == "liquidity")
        self.assertEqual(sorted(liquidity.mapped("debit")), [12.0, 60.0, 120.0])

    def test_a_receipt_net_of_a_credit_note_pays_the_invoice_and_uses_the_credit(self):
        credit = self.post_invoice(self.hudd, [20.0], kind="out_refund")   # 24.00
        self.export("invoices")
        result = self.import_csv("receipts", HEADER + "SR,HUDDERSF,1200,,05/11/2026,BACS 77,BACS,96.00,T9,0.00\r\n")
        self.assertEqual(result["matched"], 1)
        receipt = self.env["ecrm.sage.receipt"].search([("batch_id", "=", result["batch_id"])])
        self.assertEqual((receipt.match_method, receipt.invoice_id, receipt.credit_note_id),
                         ("net_of_credit", self.invoice, credit))
        self.assertEqual((self.invoice.state, credit.state), ("paid", "paid"))

    def test_a_refund_paid_in_sage_settles_the_credit_note(self):
        credit = self.post_invoice(self.wake, [5.0], kind="out_refund")    # 6.00
        self.export("invoices")
        result = self.import_csv("receipts", HEADER + "SP,WAKEFIEL,1200,,06/11/2026,%s,Refund,6.00,T9,0.00\r\n"
                                 % credit.number)
        receipt = self.env["ecrm.sage.receipt"].search([("batch_id", "=", result["batch_id"])])
        self.assertEqual((receipt.state, receipt.invoice_id), ("matched", credit))
        self.assertEqual(credit.state, "paid")
        self.assertEqual(self.other.state, "open", "a refund never pays an invoice")
        bank = receipt.move_id.line_ids.filtered(lambda line: line.account_id.internal_type == "liquidity")
        self.assertEqual((bank.debit, bank.credit), (0.0, 6.0))
        stray = self.import_csv("receipts", HEADER + "SP,WAKEFIEL,1200,,07/11/2026,CHQ 3,Refund,2.00,T9,0.00\r\n")
        refund = self.env["ecrm.sage.receipt"].search([("batch_id", "=", stray["batch_id"])])
        refund.invoice_id = self.other
        with self.assertRaisesRegex(UserError, "settles a credit note"):
            refund.action_register_payment()
        self.assertEqual(self.other.state, "open")
        logged = self.env["ecrm.interaction"].search([("res_model", "=", "ecrm.sage.receipt"),
                                                      ("res_id", "=", receipt.id)])
        self.assertEqual((logged.interaction_type, logged.direction), ("sage_refund_paid", "outbound"))

    def test_unmatched_receipt_is_registered_by_hand_from_the_review_list(self):
        self.import_csv("receipts", HEADER + "SA,WAKEFIEL,1200,,05/11/2026,CHQ 7,Cheque,20.00,T9,0.00\r\n")
        receipt = self.env["ecrm.sage.receipt"].search([("state", "=", "unmatched"), ("account_ref", "=", "WAKEFIEL")])
        with self.assertRaises(UserError):
            receipt.action_register_payment()
        receipt.invoice_id = self.post_invoice(self.wake, [1.0], kind="out_refund")
        with self.assertRaises(UserError):
            receipt.action_register_payment()
        receipt.invoice_id = self.other
        receipt.action_register_payment()
        self.assertEqual((receipt.state, receipt.match_method), ("matched", "manual"))
        self.assertAlmostEqual(self.other.residual, 40.0)

    def test_booking_against_a_paid_invoice_is_refused(self):
        self.import_csv("receipts", HEADER + "SA,HUDDERSF,1200,,03/11/2026,%s,BACS,120.00,T9,0.00\r\n"
                        "SA,HUDDERSF,1200,,04/11/2026,CHQ 8,Cheque,9.00,T9,0.00\r\n" % self.invoice.number)
        self.assertEqual(self.invoice.state, "paid")
        receipt = self.env["ecrm.sage.receipt"].search([("reference", "=", "CHQ 8")])
        receipt.invoice_id = self.invoice
        with self.assertRaisesRegex(UserError, "nothing left to pay"):
            receipt.action_register_payment()
        self.assertEqual((receipt.state, receipt.move_line_id.id), ("unmatched", False))

    def test_malformed_files_write_nothing(self):
        good = "SA,HUDDERSF,1200,,03/11/2026,%s,BACS,120.00,T9,0.00\r\n" % self.invoice.number
        corpus = {
            "wrong column count": "SA,HUDDERSF,1200,,03/11/2026\r\n",
            "not DD/MM/YYYY": "SA,HUDDERSF,1200,,2026-11-03,X,BACS,1.00,T9,0.00\r\n",
            "unknown account reference": "SA,NOBODY,1200,,03/11/2026,X,BACS,1.00,T9,0.00\r\n",
            "not a number": "SA,HUDDERSF,1200,,03/11/2026,X,BACS,12O.00,T9,0.00\r\n",
            "duplicate transaction": good,
        }
        before = self.counts()
        for message, bad_line in corpus.items():
            result = self.import_csv("receipts", HEADER + good + bad_line)
            self.assertEqual(result["applied"], 0, message)
            self.assertEqual([error["row"] for error in result["errors"]], [4], message)
            self.assertIn(message, result["errors"][0]["message"])
        wrong_company = self.import_csv("receipts", HEADER.replace("TESTCO", "OTHERCO") + good)
        self.assertIn("OTHERCO", wrong_company["errors"][0]["message"])
        other_ledger = self.import_csv("receipts", "SA,ACME01,1200,,03/11/2026,X1,BACS,1.00,T9,0.00\r\n"
                                                   "SA,ACME02,1200,,03/11/2026,X2,BACS,2.00,T9,0.00\r\n")
        self.assertEqual(other_ledger["errors"][0]["row"], 0)
        self.assertIn("another Sage company", other_ledger["errors"][0]["message"])
        under_another_account = self.import_csv(
            "receipts", "SA,WAKEFIEL,1200,,03/11/2026,%s,BACS,120.00,T9,0.00\r\n" % self.invoice.number)
        self.assertIn("our document of account HUDDERSF", under_another_account["errors"][1]["message"])
        self.assertEqual(self.counts(), before)
        self.assertEqual(self.invoice.state, "open")

    def test_a_receipt_imported_twice_is_refused_the_second_time(self):
        text = HEADER + "SA,HUDDERSF,1200,,03/11/2026,BACS 9,BACS,5.00,T9,0.00\r\n"
        self.assertEqual(self.import_csv("receipts", text)["applied"], 1)
        again = self.import_csv("receipts", text)
        self.assertEqual(again["applied"], 0)
        self.assertIn("duplicate", again["errors"][0]["message"])

    def test_dry_run_import_writes_nothing(self):
        before = self.counts()
        result = self.import_csv("receipts", HEADER + "SA,HUDDERSF,1200,,03/11/2026,%s,BACS,120.00,T9,0.00\r\n"
                                 % self.invoice.number, dry_run=True)
        self.assertEqual((result["applied"], result["matched"], result["batch_id"]), (1, 1, False))
        self.assertEqual(self.counts(), before)

    def test_balances_land_on_the_partner_and_on_hold_blocks_orders(self):
        self.backend.block_sales_on_hold = True
        result = self.import_csv("balances", "Company,TESTCO\r\nAccount Reference,Balance,Credit Limit,Overdue,On Hold\r\n"
                                 "HUDDERSF,120.00,5000.00,0.00,No\r\nWAKEFIEL,60.00,50.00,60.00,Yes\r\n")
        self.assertEqual((result["applied"], result["errors"]), (2, []))
        self.hudd.invalidate_cache()
        self.assertEqual((self.hudd.sage_balance, self.hudd.sage_credit_limit, self.hudd.sage_credit_status),
                         (120.0, 5000.0, "ok"))
        self.assertEqual((self.wake.sage_on_hold, self.wake.sage_overdue, self.wake.sage_credit_status),
                         (True, 60.0, "on_hold"))
        on_hold = self.env["ecrm.interaction"].search([("partner_id", "=", self.wake.id),
                                                       ("interaction_type", "=", "sage_account_on_hold")])
        self.assertEqual(on_hold.channel, "ledger")
        product = self.env["product.product"].create({"name": "Stairlift survey (test)", "list_price": 90.0})
        order = self.env["sale.order"].create({"partner_id": self.wake.id, "order_line": [
            (0, 0, {"product_id": product.id, "product_uom_qty": 1})]})
        with self.assertRaises(UserError):
            order.action_confirm()
        self.backend.block_sales_on_hold = False
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_reconciliation_counts_differences_and_clears_when_sage_agrees(self):
        self.import_csv("balances", "HUDDERSF,100.00,0,0,No\r\nWAKEFIEL,60.00,0,0,No\r\n")
        self.assertEqual(self.backend.reconciliation_state, "differences")
        lines = self.env["ecrm.sage.reconciliation.line"].search([("backend_id", "=", self.backend.id),
                                                                  ("in_balance", "=", False)])
        self.assertIn(self.hudd, lines.mapped("partner_id"))
        line = lines.filtered(lambda l: l.partner_id == self.hudd)
        self.assertEqual((line.odoo_balance, line.sage_balance, line.difference), (120.0, 100.0, 20.0))
        # Sage has every other demo customer at zero; only those with Odoo receivables differ.
        self.import_csv("balances", self.balances_matching_odoo())
        self.assertEqual(self.backend.reconciliation_state, "in_balance")
        self.assertEqual(self.backend.reconciliation_summary, "In balance")

    def balances_matching_odoo(self):
        self.backend._run_reconciliation()
        lines = self.env["ecrm.sage.reconciliation.line"].search([("backend_id", "=", self.backend.id)])
        return "".join("%s,%.2f,0,0,No\r\n" % (line.account_ref, line.odoo_balance) for line in lines)
