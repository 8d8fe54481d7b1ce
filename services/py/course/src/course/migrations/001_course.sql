CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE categories (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug text NOT NULL UNIQUE,
    name text NOT NULL
);
INSERT INTO categories (slug, name) VALUES
    ('programming', 'Programming'),
    ('data-science', 'Data Science'),
    ('web-development', 'Web Development'),
    ('design', 'Design'),
    ('business', 'Business'),
    ('languages', 'Languages'),
    ('mathematics', 'Mathematics'),
    ('devops', 'DevOps');

CREATE TABLE courses (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    teacher_id uuid NOT NULL,
    teacher_name text NOT NULL DEFAULT '',
    title text NOT NULL,
    description text NOT NULL DEFAULT '',
    level text NOT NULL CHECK (level IN ('beginner', 'intermediate', 'advanced')),
    price_cents integer NOT NULL CHECK (price_cents >= 0),
    currency text NOT NULL DEFAULT 'USD',
    category_id uuid REFERENCES categories (id) ON DELETE SET NULL,
    duration_minutes integer NOT NULL DEFAULT 0 CHECK (duration_minutes >= 0),
    status text NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'archived')),
    avg_rating numeric(3, 2),
    review_count integer NOT NULL DEFAULT 0,
    rating_sum bigint NOT NULL DEFAULT 0,
    enrollment_count integer NOT NULL DEFAULT 0,
    -- Grows with every change, so projections elsewhere apply only newer snapshots.
    revision integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- 'simple' copes with any language (English and Russian titles alike): no stemming.
    search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title), 'A')
        || setweight(to_tsvector('simple', description), 'B')
    ) STORED
);
CREATE INDEX courses_search ON courses USING gin (search);
CREATE INDEX courses_title_trgm ON courses USING gin (title gin_trgm_ops);
CREATE INDEX courses_newest ON courses (status, created_at DESC, id DESC);
CREATE INDEX courses_rating ON courses (status, avg_rating DESC NULLS LAST, id);
CREATE INDEX courses_price ON courses (status, price_cents, id);
CREATE INDEX courses_teacher ON courses (teacher_id, created_at DESC, id DESC);
CREATE INDEX courses_category ON courses (category_id);

CREATE TABLE modules (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    title text NOT NULL,
    position integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX modules_course ON modules (course_id, position);

CREATE TABLE lessons (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    module_id uuid NOT NULL REFERENCES modules (id) ON DELETE CASCADE,
    course_id uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    title text NOT NULL,
    content text NOT NULL DEFAULT '',
    content_html text NOT NULL DEFAULT '',
    video_url text,
    duration_minutes integer NOT NULL DEFAULT 0 CHECK (duration_minutes >= 0),
    position integer NOT NULL,
    is_preview boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lessons_module ON lessons (module_id, position);
CREATE INDEX lessons_course ON lessons (course_id);

CREATE TABLE reviews (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    student_id uuid NOT NULL,
    author_name text NOT NULL DEFAULT '',
    rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (course_id, student_id)
);
CREATE INDEX reviews_newest ON reviews (course_id, created_at DESC, id DESC);

-- What enrollment tells us about who studies what (from its events).
CREATE TABLE enrollments (
    course_id uuid NOT NULL,
    student_id uuid NOT NULL,
    enrollment_id uuid NOT NULL,
    status text NOT NULL CHECK (status IN ('active', 'completed')),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (course_id, student_id)
);
CREATE INDEX enrollments_student ON enrollments (student_id);
