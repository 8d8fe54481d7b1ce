-- What enrollment knows about courses, kept from course events (newest revision wins).
CREATE TABLE courses (
    id uuid PRIMARY KEY,
    title text NOT NULL,
    price_cents integer NOT NULL,
    currency text NOT NULL,
    status text NOT NULL,
    lesson_ids uuid[] NOT NULL,
    revision bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX courses_lessons ON courses USING gin (lesson_ids);

-- Completed payments, from payment events: what lets a student into a paid course.
CREATE TABLE paid_courses (
    student_id uuid NOT NULL,
    course_id uuid NOT NULL,
    payment_id uuid NOT NULL,
    paid_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (student_id, course_id)
);

CREATE TABLE enrollments (
    id uuid PRIMARY KEY,
    student_id uuid NOT NULL,
    course_id uuid NOT NULL,
    -- The title when enrolling, for lists before the course projection catches up.
    course_title text NOT NULL,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'completed')),
    created_at timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    UNIQUE (student_id, course_id)
);
CREATE INDEX enrollments_by_student ON enrollments (student_id, created_at DESC, id DESC);
CREATE INDEX enrollments_by_course ON enrollments (course_id);

CREATE TABLE lesson_completions (
    enrollment_id uuid NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
    lesson_id uuid NOT NULL,
    completed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (enrollment_id, lesson_id)
);
