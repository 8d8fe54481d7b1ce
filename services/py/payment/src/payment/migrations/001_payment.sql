-- What payment knows about courses, kept from course events (newest revision wins).
CREATE TABLE courses (
    id uuid PRIMARY KEY,
    title text NOT NULL,
    price_cents integer NOT NULL,
    currency text NOT NULL,
    status text NOT NULL,
    revision bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE payments (
    id uuid PRIMARY KEY,
    course_id uuid NOT NULL,
    student_id uuid NOT NULL,
    amount_cents integer NOT NULL CHECK (amount_cents > 0),
    currency text NOT NULL,
    status text NOT NULL CHECK (status IN ('completed')),
    provider_reference text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- A student pays for a course once.
CREATE UNIQUE INDEX payments_one_completed ON payments (student_id, course_id)
    WHERE status = 'completed';
CREATE INDEX payments_by_student ON payments (student_id, created_at DESC, id DESC);
