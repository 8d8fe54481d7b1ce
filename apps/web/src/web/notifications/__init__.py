"""Notifications: list, mark one or all read."""
