ALTER TABLE listings DROP CONSTRAINT listings_event_order,
    DROP COLUMN price_unit, DROP COLUMN price_max_cents, DROP COLUMN starts_at, DROP COLUMN ends_at;
ALTER TABLE categories DROP COLUMN price_kind;
