-- Catalog search: stemmed English and Russian full-text search, an exact-title lookup, a
-- vocabulary for correcting misspelt words, and indexes for every catalog filter and sort.

-- The 'russian' configuration stems Cyrillic words with the Russian stemmer and ASCII words
-- with the English one, so one configuration copes with both languages: "courses" meets
-- "Course", "программирование" meets "программированию". Title above description.
DROP INDEX courses_search;
ALTER TABLE courses DROP COLUMN search;
ALTER TABLE courses ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('russian', title), 'A')
    || setweight(to_tsvector('russian', description), 'B')
) STORED;
CREATE INDEX courses_search ON courses USING gin (search) WHERE status = 'published';

-- A title as people type it: lower case, punctuation ignored (but "C++" is not "C#").
CREATE FUNCTION course_title_key(title text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN btrim(regexp_replace(lower(title), '[^[:alnum:]+#]+', ' ', 'g'));
CREATE INDEX courses_title_key ON courses (course_title_key(title)) WHERE status = 'published';

-- Every word of every title and description. A misspelt query word is replaced by its
-- nearest word here (a trigram KNN over a small table) before the full-text search runs.
-- Words of changed or removed courses stay: a stale word only ever finds nothing.
CREATE TABLE search_words (word text PRIMARY KEY);
CREATE INDEX search_words_trgm ON search_words USING gist (word gist_trgm_ops);

CREATE FUNCTION course_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- In word order, so concurrent writers take the same locks in the same order.
    INSERT INTO search_words (word)
    SELECT w FROM unnest(tsvector_to_array(
        to_tsvector('simple', NEW.title || ' ' || NEW.description))) AS w
    WHERE length(w) BETWEEN 3 AND 60
    ORDER BY w
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER courses_search_words AFTER INSERT OR UPDATE OF title, description ON courses
    FOR EACH ROW EXECUTE FUNCTION course_search_words();
INSERT INTO search_words (word)
SELECT DISTINCT w FROM courses,
    unnest(tsvector_to_array(to_tsvector('simple', title || ' ' || description))) AS w
WHERE length(w) BETWEEN 3 AND 60
ON CONFLICT DO NOTHING;

-- The titles' trigram index served the old `q <% title` filter, which no longer runs.
DROP INDEX courses_title_trgm;

-- Sorts and filters of the catalog, published courses only, in the order the query uses.
DROP INDEX courses_rating;
CREATE INDEX courses_rating ON courses ((coalesce(avg_rating, -1)) DESC, id DESC)
    WHERE status = 'published';
CREATE INDEX courses_category_newest ON courses (category_id, created_at DESC, id DESC)
    WHERE status = 'published';
