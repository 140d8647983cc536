from odoo.exceptions import AccessError, UserError, ValidationError

from .common import PortalCase, over_rpc


class TestProfileQuestions(PortalCase):

    def setUp(self):
        super().setUp()
        Question = self.env["ecrm.profile.question"]
        Question.search([]).write({"active": False})  # only this test's questions
        self.size = Question.create({"name": "How many beds? (test)", "sequence": 1, "answer_type": "choice",
                                     "options": "Under 20\n20 to 50\nOver 50"})
        self.renewal = Question.create({"name": "Contract renewal month? (test)", "sequence": 2})

    def as_buyer(self):
        return self.env["res.partner"].sudo(self.buyer_user)

    def test_over_rpc_the_next_question_is_a_list_of_at_most_one_id(self):
        Partner = self.as_buyer()
        self.assertEqual(over_rpc(Partner, "ecrm_portal_next_question"), [self.size.id])
        Partner.ecrm_portal_answer(self.size.id, "20 to 50")
        Partner.ecrm_portal_answer(self.renewal.id, "March")
        self.assertEqual(over_rpc(Partner, "ecrm_portal_next_question"), [])

    def test_questions_come_one_at_a_time_and_never_twice(self):
        Partner = self.as_buyer()
        self.assertEqual(Partner.ecrm_portal_next_question(), self.size)
        Partner.ecrm_portal_answer(self.size.id, "20 to 50")
        self.assertEqual(Partner.ecrm_portal_next_question(), self.renewal)
        with self.assertRaises(UserError):
            Partner.ecrm_portal_answer(self.size.id, "Over 50")
        Partner.ecrm_portal_answer(self.renewal.id, "March")
        self.assertFalse(Partner.ecrm_portal_next_question())
        answers = self.env["ecrm.profile.answer"].search([("partner_id", "=", self.buyer.id)])
        self.assertEqual(sorted(answers.mapped("value")), ["20 to 50", "March"])
        logged = self.env["ecrm.interaction"].search([("partner_id", "=", self.buyer.id),
                                                      ("interaction_type", "=", "profile_answer")])
        self.assertEqual(len(logged), 2)

    def test_answers_are_checked(self):
        Partner = self.as_buyer()
        with self.assertRaisesRegex(ValidationError, "one of the options"):
            Partner.ecrm_portal_answer(self.size.id, "Thousands")
        with self.assertRaisesRegex(ValidationError, "give an answer"):
            Partner.ecrm_portal_answer(self.renewal.id, "   ")
        self.renewal.active = False
        with self.assertRaisesRegex(ValidationError, "no longer asked"):
            Partner.ecrm_portal_answer(self.renewal.id, "May")
        with self.assertRaisesRegex(ValidationError, "at least two options"):
            self.env["ecrm.profile.question"].create({"name": "Bad", "answer_type": "choice", "options": "Only"})

    def test_each_customer_has_their_own_questions_and_cannot_read_others(self):
        self.as_buyer().ecrm_portal_answer(self.size.id, "Under 20")
        self.assertEqual(self.env["res.partner"].sudo(self.other_user).ecrm_portal_next_question(), self.size)
        with self.assertRaises(AccessError):
            self.env["ecrm.profile.answer"].sudo(self.other_user).search([])
