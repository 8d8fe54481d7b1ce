-- A misspelt word's nearest known word came from a KNN walk of a GiST trigram index: 4-7 ms
-- per misspelt word on the full data (15K words, about 110 index pages read), and the planner
-- also took that index, over the primary key, for the "is this a known word" check (0.6 ms and
-- 66 pages against 0.03 ms and 2). A GIN trigram index finds the words similar enough
-- (`word % w`, with `pg_trgm.similarity_threshold` set on the search connections) in 0.05-0.1
-- ms, and leaves the equality to the primary key.
DROP INDEX search_words_trgm;
CREATE INDEX search_words_trgm ON search_words USING gin (word gin_trgm_ops);
