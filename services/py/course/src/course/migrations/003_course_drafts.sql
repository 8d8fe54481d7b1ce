-- A course may start as a draft: seen by its teacher and admins only, published later.
ALTER TABLE courses DROP CONSTRAINT courses_status_check;
ALTER TABLE courses ADD CONSTRAINT courses_status_check
    CHECK (status IN ('draft', 'published', 'archived'));
