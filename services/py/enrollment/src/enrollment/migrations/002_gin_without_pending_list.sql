-- A GIN index keeps new entries in a pending list that every lookup reads besides the index
-- (up to `gin_pending_list_limit`, 4 MB). A lesson completion finds its enrollment by
-- `lesson_ids @> ARRAY[lesson]`, and the course projection is updated by every course event
-- that adds a lesson: the lookups are many times the updates, so entries go into the index at
-- once (see course's migration 008 for the figures on the catalog's index).
ALTER INDEX courses_lessons SET (fastupdate = off);
-- Turning the list off does not empty it.
SELECT gin_clean_pending_list('courses_lessons'::regclass);
