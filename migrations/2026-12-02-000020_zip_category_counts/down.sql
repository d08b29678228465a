CREATE OR REPLACE FUNCTION count_public_listings() RETURNS trigger LANGUAGE plpgsql AS $$
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

DROP TABLE zip_category_counts;
