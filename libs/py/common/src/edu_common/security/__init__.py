"""Tokens, keys and passwords."""
