-- Summaries kept by triggers, so that hot pages read one row instead of counting.

-- A listing's photos at a glance: how many, and the cover's thumbnail. Cards and the
-- "has photos" filter read these instead of a subquery per row, and the planner keeps
-- statistics on photo_count (it cannot on a correlated EXISTS).
ALTER TABLE listings
    ADD COLUMN photo_count SMALLINT NOT NULL DEFAULT 0,
    ADD COLUMN cover_thumb_key TEXT;

CREATE FUNCTION refresh_listing_photo_summary() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids BIGINT[] := '{}';
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.listing_id IS NOT NULL THEN
        ids := ids || OLD.listing_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.listing_id IS NOT NULL THEN
        ids := ids || NEW.listing_id;
    END IF;
    UPDATE listings l
    SET photo_count = s.n, cover_thumb_key = s.thumb
    FROM (
        SELECT i.id,
               (SELECT count(*) FROM listing_photos p WHERE p.listing_id = i.id) AS n,
               (SELECT p.thumb_key FROM listing_photos p WHERE p.listing_id = i.id
                ORDER BY p.position, p.created_at, p.id LIMIT 1) AS thumb
        FROM unnest(ids) AS i(id)
    ) s
    WHERE l.id = s.id
      AND (l.photo_count, l.cover_thumb_key) IS DISTINCT FROM (s.n::smallint, s.thumb);
    RETURN NULL;
END
$$;
CREATE TRIGGER listing_photos_summary
    AFTER INSERT OR DELETE OR UPDATE OF listing_id, position, thumb_key ON listing_photos
    FOR EACH ROW EXECUTE FUNCTION refresh_listing_photo_summary();

UPDATE listings l
SET photo_count = s.n, cover_thumb_key = s.thumb
FROM (
    SELECT DISTINCT ON (listing_id) listing_id,
           count(*) OVER (PARTITION BY listing_id) AS n, thumb_key AS thumb
    FROM listing_photos
    WHERE listing_id IS NOT NULL
    ORDER BY listing_id, position, created_at, id
) s
WHERE l.id = s.listing_id;

-- Public (active or pending) listings per ZIP code, at the ZIP's centre (where its listings
-- sit). A radius search adds these up over its circle, through the GiST index, to learn how
-- crowded the circle is before it chooses a plan. Expiry is left to the queries: this is a
-- density, not a count shown to anyone.
CREATE TABLE zip_listing_counts (
    zip       TEXT PRIMARY KEY,
    latitude  DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    listings  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX zip_listing_counts_earth_idx ON zip_listing_counts
    USING gist (ll_to_earth(latitude, longitude));

CREATE FUNCTION count_public_listings_by_zip() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_public BOOLEAN := TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN ('active', 'pending');
    is_public  BOOLEAN := TG_OP IN ('INSERT', 'UPDATE') AND NEW.status IN ('active', 'pending');
BEGIN
    IF TG_OP = 'UPDATE' AND was_public = is_public AND OLD.zip = NEW.zip THEN
        RETURN NULL;
    END IF;
    IF was_public THEN
        UPDATE zip_listing_counts SET listings = listings - 1 WHERE zip = OLD.zip;
    END IF;
    IF is_public THEN
        INSERT INTO zip_listing_counts AS c (zip, latitude, longitude, listings)
        VALUES (NEW.zip, NEW.latitude, NEW.longitude, 1)
        ON CONFLICT (zip) DO UPDATE SET listings = c.listings + 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER listings_count_by_zip
    AFTER INSERT OR DELETE OR UPDATE OF status, zip ON listings
    FOR EACH ROW EXECUTE FUNCTION count_public_listings_by_zip();

INSERT INTO zip_listing_counts (zip, latitude, longitude, listings)
SELECT zip, min(latitude), min(longitude), count(*)
FROM listings WHERE status IN ('active', 'pending') GROUP BY zip;

-- Price sorts and ranges use the price as search sees it (free is 0): index that expression,
-- and keep statistics on it (without them the planner guessed that any price range held
-- 0.5 % of listings). Taken at the next ANALYZE.
DROP INDEX listings_price_idx;
CREATE INDEX listings_price_idx ON listings ((COALESCE(price_cents, CASE WHEN is_free THEN 0 END)), id)
    WHERE status IN ('active', 'pending');
CREATE STATISTICS listings_price_stats ON (COALESCE(price_cents, CASE WHEN is_free THEN 0 END))
    FROM listings;
