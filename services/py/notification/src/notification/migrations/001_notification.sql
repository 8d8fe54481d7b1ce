-- In-app notifications, listed per user newest first.
CREATE TABLE notifications (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL,
    type text NOT NULL,
    title text NOT NULL,
    body text NOT NULL,
    data jsonb NOT NULL DEFAULT '{}'::jsonb,
    is_read boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX notifications_user_recent ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_user_unread ON notifications (user_id) WHERE NOT is_read;

-- Where mails to a user go, as identity last announced it (events carry no address for
-- payments, so the address is kept from registration).
CREATE TABLE recipients (
    user_id uuid PRIMARY KEY,
    email text NOT NULL,
    name text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
