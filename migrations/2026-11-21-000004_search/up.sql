-- Radius search: distance from a ZIP centroid, driven by a GiST index on the listing's point.
CREATE INDEX listings_earth_idx ON listings USING gist (ll_to_earth(latitude, longitude))
    WHERE status IN ('active', 'pending');
-- Price sorts and ranges over public listings.
CREATE INDEX listings_price_idx ON listings (price_cents, id) WHERE status IN ('active', 'pending');

-- Every word used in a title, for "Did you mean …" (trigram similarity on single words).
CREATE TABLE title_words (
    word TEXT PRIMARY KEY
);
CREATE INDEX title_words_trgm_idx ON title_words USING gin (word gin_trgm_ops);

CREATE FUNCTION record_title_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO title_words (word)
    SELECT DISTINCT lower(w)
    FROM regexp_split_to_table(NEW.title, '[^[:alnum:]]+') AS w
    WHERE length(w) BETWEEN 3 AND 30 AND w !~ '^[0-9]+$'
    ON CONFLICT DO NOTHING;
    RETURN NEW;
END
$$;
CREATE TRIGGER listings_record_title_words
    AFTER INSERT OR UPDATE OF title ON listings
    FOR EACH ROW EXECUTE FUNCTION record_title_words();
INSERT INTO title_words (word)
SELECT DISTINCT lower(w)
FROM listings, regexp_split_to_table(title, '[^[:alnum:]]+') AS w
WHERE length(w) BETWEEN 3 AND 30 AND w !~ '^[0-9]+$'
ON CONFLICT DO NOTHING;

-- A member's saved listings.
CREATE TABLE favorites (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    listing_id BIGINT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, listing_id)
);
CREATE INDEX favorites_listing_idx ON favorites (listing_id);

-- A member's saved searches: the search's query string, and when they last looked.
CREATE TABLE saved_searches (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
    query        TEXT NOT NULL CHECK (char_length(query) <= 2000),
    last_seen_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX saved_searches_user_idx ON saved_searches (user_id, created_at DESC);
