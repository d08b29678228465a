DROP INDEX friend_profiles_earth_idx;
ALTER TABLE friend_profiles DROP COLUMN reach, DROP COLUMN earth;
CREATE INDEX friend_profiles_earth_idx ON friend_profiles
    USING gist (ll_to_earth(latitude, longitude)) WHERE visible;
