-- A GIN index keeps new entries in a pending list until it reaches `gin_pending_list_limit`
-- (4 MB), and every search reads that whole list besides the index. Each course edit and each
-- update that finds no room on its page for a heap-only tuple (an enrollment count, a rating)
-- adds the course's words to it, so under the mix the list of `courses_search` stood at 69
-- pages (3,564 entries) and grew towards 512: a search for a rare word took 0.75-1.0 ms
-- instead of 0.18-0.22 ms with the list empty, one for a common word 5.1 ms instead of 3.1.
-- Without the list, an update writes its entries into the index at once: 300 description
-- edits took 134 ms instead of 113, about 0.07 ms more each, for reads ten times as many.
ALTER INDEX courses_search SET (fastupdate = off);
ALTER INDEX search_words_trgm SET (fastupdate = off);
-- Turning the list off does not empty it.
SELECT gin_clean_pending_list('courses_search'::regclass);
SELECT gin_clean_pending_list('search_words_trgm'::regclass);
