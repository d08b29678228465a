-- Public listings per category, kept by a trigger, for the counts the front page and the
-- category pages show: reading them is one small table, not a count over every public
-- listing (half a second per million, which each app server paid every minute).
--
-- A listing past its expiry keeps its status until the janitor marks it expired (every
-- quarter of an hour), so whoever reads these subtracts the few such listings, found
-- through the expiry index below.
CREATE TABLE category_listing_counts (
    category_id INTEGER PRIMARY KEY REFERENCES categories (id) ON DELETE CASCADE,
    listings    INTEGER NOT NULL DEFAULT 0
);

-- One trigger keeps both counts of public listings, per ZIP and per category (it replaces the
-- ZIP-only one).
DROP TRIGGER listings_count_by_zip ON listings;
DROP FUNCTION count_public_listings_by_zip();

CREATE FUNCTION count_public_listings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_public BOOLEAN := TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN ('active', 'pending');
    is_public  BOOLEAN := TG_OP IN ('INSERT', 'UPDATE') AND NEW.status IN ('active', 'pending');
BEGIN
    IF TG_OP = 'UPDATE' AND was_public = is_public AND OLD.zip = NEW.zip
       AND OLD.category_id = NEW.category_id THEN
        RETURN NULL;
    END IF;
    IF was_public THEN
        UPDATE zip_listing_counts SET listings = listings - 1 WHERE zip = OLD.zip;
        UPDATE category_listing_counts SET listings = listings - 1
        WHERE category_id = OLD.category_id;
    END IF;
    IF is_public THEN
        INSERT INTO zip_listing_counts AS c (zip, latitude, longitude, listings)
        VALUES (NEW.zip, NEW.latitude, NEW.longitude, 1)
        ON CONFLICT (zip) DO UPDATE SET listings = c.listings + 1;
        INSERT INTO category_listing_counts AS c (category_id, listings)
        VALUES (NEW.category_id, 1)
        ON CONFLICT (category_id) DO UPDATE SET listings = c.listings + 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER listings_count_public
    AFTER INSERT OR DELETE OR UPDATE OF status, zip, category_id ON listings
    FOR EACH ROW EXECUTE FUNCTION count_public_listings();

INSERT INTO category_listing_counts (category_id, listings)
SELECT category_id, count(*) FROM listings WHERE status IN ('active', 'pending')
GROUP BY category_id;

CREATE INDEX listings_public_expiry_idx ON listings (expires_at)
    WHERE status IN ('active', 'pending');
