"""Who notification mails go to: a local projection of users' addresses."""
