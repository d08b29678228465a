-- Each friend profile's point on the earth, and the box its radius reaches, kept with the
-- row (they follow the latitude, longitude and radius). The index holds both, so the search
-- for the nearest people who are within my radius *and* whose radius reaches me skips, inside
-- the index, those who are near but whose radius is too small: a member out in the country
-- with a 100-mile radius read a thousand profiles to find a hundred (9 ms), and now reads
-- about two hundred (1.4 ms). Storing the point also spares computing ll_to_earth, and
-- checking its `earth` domain, for every profile a search visits.
ALTER TABLE friend_profiles
    ADD COLUMN earth cube NOT NULL
        GENERATED ALWAYS AS (ll_to_earth(latitude, longitude)::cube) STORED,
    ADD COLUMN reach cube NOT NULL
        GENERATED ALWAYS AS (earth_box(ll_to_earth(latitude, longitude),
                                       radius_miles * 1609.344)::cube) STORED;

DROP INDEX friend_profiles_earth_idx;
CREATE INDEX friend_profiles_earth_idx ON friend_profiles USING gist (earth, reach) WHERE visible;
