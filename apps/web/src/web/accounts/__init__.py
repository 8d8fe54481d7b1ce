"""Accounts: register, log in and out, verify email, reset password, language."""
