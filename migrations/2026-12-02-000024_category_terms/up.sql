-- What a category's price means, and what else its listings say: a thing's price, free
-- stuff, rent per month (or week), a property's price, a job's pay range per period, an
-- event's date and time (and ticket price), a service's rate, or no price at all.
ALTER TABLE categories ADD COLUMN price_kind text NOT NULL DEFAULT 'item'
    CHECK (price_kind IN ('item', 'free', 'rent', 'property', 'pay', 'event', 'rate', 'none'));

UPDATE categories c SET price_kind = k.kind
  FROM sections s,
       (VALUES ('for-sale', 'free', 'free'),
               ('housing', 'apartments', 'rent'),
               ('housing', 'rooms', 'rent'),
               ('housing', 'sublets', 'rent'),
               ('housing', 'parking', 'rent'),
               ('housing', 'real-estate', 'property'),
               ('community', 'events', 'event')) AS k (section, category, kind)
 WHERE s.id = c.section_id AND s.slug = k.section AND c.slug = k.category;
UPDATE categories c SET price_kind = 'pay' FROM sections s
 WHERE s.id = c.section_id AND s.slug = 'jobs';
UPDATE categories c SET price_kind = 'rate' FROM sections s
 WHERE s.id = c.section_id AND s.slug IN ('services', 'gigs');
UPDATE categories c SET price_kind = 'none' FROM sections s
 WHERE s.id = c.section_id AND s.slug = 'community' AND c.price_kind = 'item';

-- Jobs state their pay as a range and period now, not as free text.
UPDATE categories c
   SET attributes = (SELECT COALESCE(jsonb_agg(a ORDER BY n), '[]'::jsonb)
                       FROM jsonb_array_elements(c.attributes) WITH ORDINALITY AS e (a, n)
                      WHERE a->>'key' <> 'compensation')
  FROM sections s
 WHERE s.id = c.section_id AND s.slug = 'jobs';

-- The unit of the price (rent per month or week, pay per hour … year, a rate per hour or
-- per job); the top of a pay range (`price_cents` is its bottom); an event's start and end,
-- in the local time of its place.
ALTER TABLE listings
    ADD COLUMN price_unit text CHECK (price_unit IN ('month', 'week', 'day', 'hour', 'year', 'job')),
    ADD COLUMN price_max_cents bigint CHECK (price_max_cents >= 0),
    ADD COLUMN starts_at timestamp,
    ADD COLUMN ends_at timestamp,
    ADD CONSTRAINT listings_event_order CHECK (ends_at IS NULL OR ends_at >= starts_at);
