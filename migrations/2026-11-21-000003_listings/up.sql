-- Places: a gazetteer of US ZIP codes (loaded from data/places-us.csv.gz at start-up when empty).
CREATE TABLE places (
    zip       TEXT PRIMARY KEY CHECK (zip ~ '^[0-9]{5}$'),
    city      TEXT NOT NULL,
    state     TEXT NOT NULL CHECK (state ~ '^[A-Z]{2}$'),
    latitude  DOUBLE PRECISION NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude DOUBLE PRECISION NOT NULL CHECK (longitude BETWEEN -180 AND 180)
);
CREATE INDEX places_earth_idx ON places USING gist (ll_to_earth(latitude, longitude));

-- The category tree: sections, then categories with the typed attributes they ask for.
CREATE TABLE sections (
    id       SMALLINT PRIMARY KEY,
    slug     TEXT NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]+$'),
    name     TEXT NOT NULL,
    position SMALLINT NOT NULL
);
CREATE TABLE categories (
    id          INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    section_id  SMALLINT NOT NULL REFERENCES sections (id),
    slug        TEXT NOT NULL CHECK (slug ~ '^[a-z0-9-]+$'),
    name        TEXT NOT NULL,
    position    SMALLINT NOT NULL,
    -- [{"key", "label", "type": int|number|bool|enum|text, "min", "max", "options"}]
    attributes  JSONB NOT NULL DEFAULT '[]',
    -- Whether "free" is an allowed price.
    allows_free BOOLEAN NOT NULL DEFAULT false,
    UNIQUE (section_id, slug)
);

INSERT INTO sections (id, slug, name, position) VALUES
    (1, 'for-sale', 'For sale', 1),
    (2, 'housing', 'Housing', 2),
    (3, 'jobs', 'Jobs', 3),
    (4, 'services', 'Services', 4),
    (5, 'community', 'Community', 5),
    (6, 'gigs', 'Gigs', 6);

INSERT INTO categories (section_id, slug, name, position, attributes, allows_free) VALUES
    (1, 'furniture', 'Furniture', 1, '[{"key":"condition","label":"Condition","type":"enum","options":["new","like new","excellent","good","fair","for parts"]}]', false),
    (1, 'electronics', 'Electronics', 2, '[{"key":"condition","label":"Condition","type":"enum","options":["new","like new","excellent","good","fair","for parts"]},{"key":"make","label":"Make","type":"text","max":50},{"key":"model","label":"Model","type":"text","max":50}]', false),
    (1, 'bikes', 'Bikes', 3, '[{"key":"condition","label":"Condition","type":"enum","options":["new","like new","excellent","good","fair","for parts"]},{"key":"make","label":"Make","type":"text","max":50}]', false),
    (1, 'cars-trucks', 'Cars & trucks', 4, '[{"key":"make","label":"Make","type":"text","max":50},{"key":"model","label":"Model","type":"text","max":50},{"key":"year","label":"Model year","type":"int","min":1900,"max":2027},{"key":"odometer","label":"Odometer (miles)","type":"int","min":0,"max":2000000},{"key":"condition","label":"Condition","type":"enum","options":["new","like new","excellent","good","fair","for parts"]}]', false),
    (1, 'household', 'Household', 5, '[{"key":"condition","label":"Condition","type":"enum","options":["new","like new","excellent","good","fair","for parts"]}]', false),
    (1, 'clothing', 'Clothing & accessories', 6, '[{"key":"condition","label":"Condition","type":"enum","options":["new","like new","excellent","good","fair","for parts"]}]', false),
    (1, 'sporting', 'Sporting goods', 7, '[{"key":"condition","label":"Condition","type":"enum","options":["new","like new","excellent","good","fair","for parts"]}]', false),
    (1, 'tools', 'Tools', 8, '[{"key":"condition","label":"Condition","type":"enum","options":["new","like new","excellent","good","fair","for parts"]},{"key":"make","label":"Make","type":"text","max":50}]', false),
    (1, 'free', 'Free stuff', 9, '[{"key":"condition","label":"Condition","type":"enum","options":["new","like new","excellent","good","fair","for parts"]}]', true),
    (1, 'general', 'General for sale', 10, '[{"key":"condition","label":"Condition","type":"enum","options":["new","like new","excellent","good","fair","for parts"]}]', false),
    (2, 'apartments', 'Apartments for rent', 1, '[{"key":"bedrooms","label":"Bedrooms","type":"int","min":0,"max":20},{"key":"bathrooms","label":"Bathrooms","type":"number","min":0,"max":20},{"key":"sqft","label":"Square feet","type":"int","min":1,"max":100000},{"key":"cats_ok","label":"Cats OK","type":"bool"},{"key":"dogs_ok","label":"Dogs OK","type":"bool"},{"key":"furnished","label":"Furnished","type":"bool"}]', false),
    (2, 'rooms', 'Rooms & shares', 2, '[{"key":"bedrooms","label":"Bedrooms","type":"int","min":0,"max":20},{"key":"bathrooms","label":"Bathrooms","type":"number","min":0,"max":20},{"key":"sqft","label":"Square feet","type":"int","min":1,"max":100000},{"key":"cats_ok","label":"Cats OK","type":"bool"},{"key":"dogs_ok","label":"Dogs OK","type":"bool"},{"key":"furnished","label":"Furnished","type":"bool"}]', false),
    (2, 'sublets', 'Sublets & temporary', 3, '[{"key":"bedrooms","label":"Bedrooms","type":"int","min":0,"max":20},{"key":"bathrooms","label":"Bathrooms","type":"number","min":0,"max":20},{"key":"sqft","label":"Square feet","type":"int","min":1,"max":100000},{"key":"cats_ok","label":"Cats OK","type":"bool"},{"key":"dogs_ok","label":"Dogs OK","type":"bool"},{"key":"furnished","label":"Furnished","type":"bool"}]', false),
    (2, 'real-estate', 'Real estate for sale', 4, '[{"key":"bedrooms","label":"Bedrooms","type":"int","min":0,"max":20},{"key":"bathrooms","label":"Bathrooms","type":"number","min":0,"max":20},{"key":"sqft","label":"Square feet","type":"int","min":1,"max":100000}]', false),
    (2, 'parking', 'Parking & storage', 5, '[]', false),
    (3, 'office', 'Admin & office', 1, '[{"key":"compensation","label":"Compensation","type":"text","max":100},{"key":"employment_type","label":"Employment type","type":"enum","options":["full-time","part-time","contract","temporary","internship"]},{"key":"remote","label":"Where","type":"enum","options":["on-site","hybrid","remote"]}]', false),
    (3, 'food', 'Food & hospitality', 2, '[{"key":"compensation","label":"Compensation","type":"text","max":100},{"key":"employment_type","label":"Employment type","type":"enum","options":["full-time","part-time","contract","temporary","internship"]},{"key":"remote","label":"Where","type":"enum","options":["on-site","hybrid","remote"]}]', false),
    (3, 'retail', 'Retail & sales', 3, '[{"key":"compensation","label":"Compensation","type":"text","max":100},{"key":"employment_type","label":"Employment type","type":"enum","options":["full-time","part-time","contract","temporary","internship"]},{"key":"remote","label":"Where","type":"enum","options":["on-site","hybrid","remote"]}]', false),
    (3, 'software', 'Software & IT', 4, '[{"key":"compensation","label":"Compensation","type":"text","max":100},{"key":"employment_type","label":"Employment type","type":"enum","options":["full-time","part-time","contract","temporary","internship"]},{"key":"remote","label":"Where","type":"enum","options":["on-site","hybrid","remote"]}]', false),
    (3, 'trades', 'Skilled trades', 5, '[{"key":"compensation","label":"Compensation","type":"text","max":100},{"key":"employment_type","label":"Employment type","type":"enum","options":["full-time","part-time","contract","temporary","internship"]},{"key":"remote","label":"Where","type":"enum","options":["on-site","hybrid","remote"]}]', false),
    (3, 'healthcare', 'Healthcare', 6, '[{"key":"compensation","label":"Compensation","type":"text","max":100},{"key":"employment_type","label":"Employment type","type":"enum","options":["full-time","part-time","contract","temporary","internship"]},{"key":"remote","label":"Where","type":"enum","options":["on-site","hybrid","remote"]}]', false),
    (3, 'education', 'Education', 7, '[{"key":"compensation","label":"Compensation","type":"text","max":100},{"key":"employment_type","label":"Employment type","type":"enum","options":["full-time","part-time","contract","temporary","internship"]},{"key":"remote","label":"Where","type":"enum","options":["on-site","hybrid","remote"]}]', false),
    (4, 'household-services', 'Household services', 1, '[]', false),
    (4, 'moving', 'Moving & hauling', 2, '[]', false),
    (4, 'lessons', 'Lessons & tutoring', 3, '[]', false),
    (4, 'repair', 'Repair', 4, '[]', false),
    (4, 'creative', 'Creative', 5, '[]', false),
    (5, 'events', 'Events', 1, '[]', false),
    (5, 'activities', 'Activities', 2, '[]', false),
    (5, 'lost-found', 'Lost & found', 3, '[]', false),
    (5, 'volunteers', 'Volunteers', 4, '[]', false),
    (5, 'general-community', 'General community', 5, '[]', false),
    (6, 'labor', 'Labor', 1, '[{"key":"paid","label":"Pay","type":"enum","options":["paid","unpaid"]}]', false),
    (6, 'creative-gigs', 'Creative', 2, '[{"key":"paid","label":"Pay","type":"enum","options":["paid","unpaid"]}]', false),
    (6, 'event-gigs', 'Event', 3, '[{"key":"paid","label":"Pay","type":"enum","options":["paid","unpaid"]}]', false),
    (6, 'computer-gigs', 'Computer', 4, '[{"key":"paid","label":"Pay","type":"enum","options":["paid","unpaid"]}]', false);

-- Listings. Public lists show active and pending listings that have not expired, newest
-- (last renewed) first. "deleted" is the owner's soft delete; "hidden" and "removed" are admins'.
CREATE TABLE listings (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id    BIGINT NOT NULL REFERENCES users (id),
    category_id INTEGER NOT NULL REFERENCES categories (id),
    title       TEXT NOT NULL CHECK (char_length(title) BETWEEN 1 AND 100),
    body        TEXT NOT NULL CHECK (char_length(body) <= 10000),
    -- Integer cents; NULL with is_free false means "no price given".
    price_cents BIGINT CHECK (price_cents BETWEEN 0 AND 10000000000),
    is_free     BOOLEAN NOT NULL DEFAULT false,
    zip         TEXT NOT NULL REFERENCES places (zip),
    latitude    DOUBLE PRECISION NOT NULL,
    longitude   DOUBLE PRECISION NOT NULL,
    attributes  JSONB NOT NULL DEFAULT '{}',
    status      TEXT NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'pending', 'sold', 'expired', 'deleted', 'hidden', 'removed')),
    expires_at  TIMESTAMPTZ NOT NULL,
    renewed_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    search      TSVECTOR GENERATED ALWAYS AS (
                    setweight(to_tsvector('english', title), 'A') ||
                    setweight(to_tsvector('english', body), 'B')) STORED,
    CHECK (NOT (is_free AND price_cents IS NOT NULL))
);
SELECT diesel_manage_updated_at('listings');
CREATE INDEX listings_public_newest_idx ON listings (renewed_at DESC, id DESC)
    WHERE status IN ('active', 'pending');
CREATE INDEX listings_category_newest_idx ON listings (category_id, renewed_at DESC, id DESC)
    WHERE status IN ('active', 'pending');
CREATE INDEX listings_owner_idx ON listings (owner_id, created_at DESC);
CREATE INDEX listings_search_idx ON listings USING gin (search);
CREATE INDEX listings_title_trgm_idx ON listings USING gin (title gin_trgm_ops);

-- Photos. A row is written only once its objects are stored. A row without a listing is a
-- pending upload (kept while its form is corrected); the janitor removes old ones.
CREATE TABLE listing_photos (
    id          UUID PRIMARY KEY,
    owner_id    BIGINT NOT NULL REFERENCES users (id),
    listing_id  BIGINT REFERENCES listings (id) ON DELETE CASCADE,
    position    SMALLINT NOT NULL DEFAULT 0,
    display_key TEXT NOT NULL,
    thumb_key   TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    alt_text    TEXT NOT NULL DEFAULT '' CHECK (char_length(alt_text) <= 200),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX listing_photos_listing_idx ON listing_photos (listing_id, position);
CREATE INDEX listing_photos_pending_idx ON listing_photos (created_at) WHERE listing_id IS NULL;
