DROP INDEX listings_public_expiry_idx;
DROP TRIGGER listings_count_public ON listings;
DROP FUNCTION count_public_listings();
DROP TABLE category_listing_counts;

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
