"""Who is enrolled where, as enrollment's events tell it."""
