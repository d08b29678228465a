-- Word pairs: every two neighbouring words of a listing as one lexeme ("used bike" gives
-- 'use_bike'), in the same GIN index as the words, with statistics like theirs. A phrase
-- search looks up its pairs: the listings holding "used bike" are found (and estimated)
-- directly, instead of among every listing with both words, ten times as many. The phrase
-- itself is still checked on each listing (a pair may span the title and the body).
CREATE FUNCTION word_pairs(doc TSVECTOR) RETURNS TSVECTOR
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (SELECT COALESCE(array_to_tsvector(array_agg(DISTINCT a.lexeme || '_' || b.lexeme)), '')
            FROM (SELECT u.lexeme, p FROM unnest(doc) AS u, unnest(u.positions) AS p) AS a
            JOIN (SELECT u.lexeme, p FROM unnest(doc) AS u, unnest(u.positions) AS p) AS b
              ON b.p = a.p + 1);

-- The pairs a search's words require, for the GIN index: each "a <-> b" of its phrases (a
-- phrase of three words requires two pairs). NULL when there are none to require: no phrase,
-- only words apart ("bike for sale": 'bike' <2> 'sale'), or phrases under "or" or "-".
CREATE FUNCTION phrase_pairs(query TSQUERY) RETURNS TSQUERY
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    conjunct TEXT;
    words    TEXT[];
    links    TEXT[];
    pairs    TEXT[] := '{}';
BEGIN
    IF query::text ~ '[!|()]' THEN
        RETURN NULL;
    END IF;
    FOREACH conjunct IN ARRAY string_to_array(query::text, ' & ') LOOP
        -- "'a' <-> 'b' <2> 'c'": the quoted lexemes and the distances between them.
        words := regexp_split_to_array(conjunct, ' <[0-9-]+> ');
        links := ARRAY(SELECT m[1] FROM regexp_matches(conjunct, ' <([0-9-]+)> ', 'g') AS m);
        FOR i IN 1 .. COALESCE(cardinality(links), 0) LOOP
            IF links[i] = '-' THEN
                pairs := pairs
                    || (replace(substr(words[i], 2, length(words[i]) - 2), '''''', '''') || '_'
                        || replace(substr(words[i + 1], 2, length(words[i + 1]) - 2), '''''', ''''));
            END IF;
        END LOOP;
    END LOOP;
    IF cardinality(pairs) = 0 THEN
        RETURN NULL;
    END IF;
    RETURN array_to_string(ARRAY(SELECT quote_literal(p) FROM unnest(pairs) AS p), ' & ')::tsquery;
END
$$;

ALTER TABLE listings ADD COLUMN pairs TSVECTOR
    GENERATED ALWAYS AS (word_pairs(to_tsvector('english', title) || to_tsvector('english', body))) STORED;
-- The 2,000 commonest pairs (a target of 200) are enough: a rarer pair is estimated as rare,
-- and its listings are few enough to fetch and count. (More would cost every phrase search's
-- planning a millisecond: the planner reads the whole list each time.)
ALTER TABLE listings ALTER COLUMN pairs SET STATISTICS 200;

DROP INDEX listings_search_idx;
CREATE INDEX listings_search_idx ON listings USING gin (search, pairs, listing_day(renewed_at))
    WHERE status IN ('active', 'pending');

-- Statistics for the new column now, not at autovacuum's next visit.
ANALYZE listings;
