"""Consent rules on plain data: which inbound e-mail asks to be unsubscribed."""
