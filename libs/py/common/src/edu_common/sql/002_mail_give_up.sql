-- A mail the sender gave up on (too many failed tries, or an address the server cannot take)
-- is kept with the time and the last error, and never tried again.
ALTER TABLE mail_outbox ADD COLUMN failed_at timestamptz;
DROP INDEX mail_outbox_due;
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;
