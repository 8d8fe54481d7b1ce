-- A payment between its start and the provider's answer. The provider is called with no
-- transaction open; this row is what keeps a second request from charging meanwhile, and
-- what a later request resumes when the first one never came back (see
-- payment/payments/checkout.py). Completed payments move to `payments`; declined ones leave.
CREATE TABLE pending_payments (
    -- The payment's id once completed, and the provider's idempotency key for its charge.
    id uuid PRIMARY KEY,
    course_id uuid NOT NULL,
    student_id uuid NOT NULL,
    -- The price when the payment started: a resumed charge asks for the same amount.
    amount_cents integer NOT NULL CHECK (amount_cents > 0),
    currency text NOT NULL,
    course_title text NOT NULL,
    -- Until then the payment belongs to the request charging it; after, the next try resumes it.
    lease_until timestamptz NOT NULL,
    attempts integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- One payment in flight per student and course.
    UNIQUE (student_id, course_id)
);
