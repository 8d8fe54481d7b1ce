"""Payment service: course purchases through a payment provider."""
