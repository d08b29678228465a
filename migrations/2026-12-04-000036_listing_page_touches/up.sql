-- Kept listing pages (issue 15) are served only while the listing's row is the very version
-- they were rendered from: its `xmin`, the transaction that wrote it, changes with every
-- update of the row. Two things the page shows live in other rows: its photos and its
-- seller's name. A change to either touches the listing's row (an update that changes no
-- value, so its "updated" time stays as it was, but still writes a new version of the row),
-- whatever path the change took.

-- A photo added, moved, relabelled or removed: its listing (or both, when a photo moves from
-- one to another).
CREATE FUNCTION touch_photo_listing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE listings SET updated_at = updated_at
    WHERE id = OLD.listing_id OR id = NEW.listing_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER listing_photos_touch_listing
    AFTER INSERT OR UPDATE OR DELETE ON listing_photos
    FOR EACH ROW EXECUTE FUNCTION touch_photo_listing();

-- A seller who changes the name their pages show: each of their listings.
CREATE FUNCTION touch_seller_listings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE listings SET updated_at = updated_at WHERE owner_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_touch_listings
    AFTER UPDATE OF username, display_name ON users
    FOR EACH ROW
    WHEN (OLD.username IS DISTINCT FROM NEW.username
          OR OLD.display_name IS DISTINCT FROM NEW.display_name)
    EXECUTE FUNCTION touch_seller_listings();

-- Such a touch must not count as an edit. Diesel's `updated_at` trigger compares the whole
-- rows, and in a BEFORE trigger the new row's generated columns (the search vectors) are not
-- computed yet: every update, even one that changes nothing, moved the listing's "updated"
-- time. Compared without them, only a changed value does.
CREATE FUNCTION set_listing_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    before listings := OLD;
    after listings := NEW;
BEGIN
    before.search := NULL;
    before.pairs := NULL;
    after.search := NULL;
    after.pairs := NULL;
    IF after IS DISTINCT FROM before AND NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := current_timestamp;
    END IF;
    RETURN NEW;
END
$$;
DROP TRIGGER set_updated_at ON listings;
CREATE TRIGGER set_updated_at
    BEFORE UPDATE ON listings
    FOR EACH ROW EXECUTE FUNCTION set_listing_updated_at();
