"""The catalog (home page): search, filters, sorts, cards."""
