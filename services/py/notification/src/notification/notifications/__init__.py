"""A user's notifications: reading them, marking them read, and creating them."""
