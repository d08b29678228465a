-- Alerts: saved searches mail their new matches (and matches whose price dropped) at the
-- member's chosen cadence; favourites mail price drops and sales.

ALTER TABLE saved_searches
    ADD COLUMN alert text NOT NULL DEFAULT 'off'
        CHECK (alert IN ('off', 'instant', 'daily', 'weekly')),
    -- Listings posted, renewed or reduced after this are news for the next alert.
    ADD COLUMN alert_checked_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN alert_mailed_at timestamptz;
CREATE INDEX saved_searches_alert_idx ON saved_searches (alert_checked_at) WHERE alert <> 'off';

-- Whether a member wants mail when a listing they saved drops its price or sells.
ALTER TABLE users ADD COLUMN favorite_mail boolean NOT NULL DEFAULT true;

-- What happened to a listing that people who saved it or search for it want to hear of.
CREATE TABLE listing_changes (
    id bigserial PRIMARY KEY,
    listing_id bigint NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('price_drop', 'sold')),
    old_price_cents bigint,
    new_price_cents bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- When the favourites' mail about it was queued (NULL: not yet).
    mailed_at timestamptz
);
CREATE INDEX listing_changes_unmailed_idx ON listing_changes (id) WHERE mailed_at IS NULL;
CREATE INDEX listing_changes_drops_idx ON listing_changes (created_at) WHERE kind = 'price_drop';

-- Every path that lowers a price or marks a listing sold (the form, the dashboard, an
-- admin) is noted here, by the database itself.
CREATE FUNCTION note_listing_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'sold' AND OLD.status IS DISTINCT FROM 'sold' THEN
        INSERT INTO listing_changes (listing_id, kind, old_price_cents, new_price_cents)
        VALUES (NEW.id, 'sold', OLD.price_cents, NEW.price_cents);
    ELSIF NEW.status IN ('active', 'pending')
          AND ((NEW.is_free AND NOT OLD.is_free)
               OR (NOT NEW.is_free AND NEW.price_cents < OLD.price_cents)) THEN
        INSERT INTO listing_changes (listing_id, kind, old_price_cents, new_price_cents)
        VALUES (NEW.id, 'price_drop', OLD.price_cents,
                CASE WHEN NEW.is_free THEN 0 ELSE NEW.price_cents END);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER listings_note_change
    AFTER UPDATE OF price_cents, is_free, status ON listings
    FOR EACH ROW
    WHEN (NEW.price_cents IS DISTINCT FROM OLD.price_cents
          OR NEW.is_free IS DISTINCT FROM OLD.is_free
          OR NEW.status IS DISTINCT FROM OLD.status)
    EXECUTE FUNCTION note_listing_change();
