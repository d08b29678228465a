-- Meet people: friend profiles, their photos, yes / no answers, and matches.

-- A member's friend profile. The place is a gazetteer ZIP, copied with its centre (others
-- see the city only); the radius is in miles. `visible` is the "show me to others" switch.
CREATE TABLE friend_profiles (
    user_id      BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    about        TEXT NOT NULL DEFAULT '' CHECK (char_length(about) <= 500),
    hobbies      TEXT[] NOT NULL DEFAULT '{}'
                 CHECK (cardinality(hobbies) <= 20 AND array_position(hobbies, NULL) IS NULL),
    interests    TEXT[] NOT NULL DEFAULT '{}'
                 CHECK (cardinality(interests) <= 20 AND array_position(interests, NULL) IS NULL),
    zip          TEXT NOT NULL CHECK (zip ~ '^[0-9]{5}$'),
    city         TEXT NOT NULL,
    latitude     DOUBLE PRECISION NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude    DOUBLE PRECISION NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    radius_miles INTEGER NOT NULL CHECK (radius_miles BETWEEN 1 AND 100),
    visible      BOOLEAN NOT NULL DEFAULT true,
    active_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- The nearest shown profiles first (the candidates' search): only visible ones are indexed.
CREATE INDEX friend_profiles_earth_idx ON friend_profiles
    USING gist (ll_to_earth(latitude, longitude)) WHERE visible;

-- Up to six photos per profile, stored in object storage (the key), in order.
CREATE TABLE friend_photos (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES friend_profiles (user_id) ON DELETE CASCADE,
    key        TEXT NOT NULL UNIQUE,
    width      INTEGER NOT NULL CHECK (width > 0),
    height     INTEGER NOT NULL CHECK (height > 0),
    position   SMALLINT NOT NULL CHECK (position BETWEEN 0 AND 5),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (user_id, position) DEFERRABLE INITIALLY DEFERRED
);

-- A member's answer about another: never shown again once answered.
CREATE TABLE friend_answers (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    subject_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    yes        BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, subject_id),
    CHECK (user_id <> subject_id)
);
-- "Who said yes to me" when a yes may complete a match.
CREATE INDEX friend_answers_subject_idx ON friend_answers (subject_id, user_id) WHERE yes;

-- A mutual yes: one row per pair (the lower id first), with the conversation it opened.
-- Unmatching ends it (and closes the conversation); the row stays.
CREATE TABLE friend_matches (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_low        BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_high       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id BIGINT REFERENCES conversations (id) ON DELETE SET NULL,
    shared          TEXT[] NOT NULL DEFAULT '{}' CHECK (array_position(shared, NULL) IS NULL),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    ended_at        TIMESTAMPTZ,
    ended_by        BIGINT REFERENCES users (id) ON DELETE SET NULL,
    UNIQUE (user_low, user_high),
    CHECK (user_low < user_high)
);
CREATE INDEX friend_matches_high_idx ON friend_matches (user_high);

-- The next people to show a member, ranked when it was built (a "deck"): reading the next
-- one is then a check of one person, not a search of the radius. Rebuilt when used up,
-- after ten minutes, or when the member's profile changes.
CREATE TABLE friend_decks (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    candidates BIGINT[] NOT NULL CHECK (array_position(candidates, NULL) IS NULL),
    built_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A system note (the first message of a match: "You matched on: …"), written by nobody.
ALTER TABLE messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE messages ADD CONSTRAINT messages_kind_check
    CHECK (kind IN ('text', 'image', 'video', 'system'));

-- A deleted account's friend profile goes with it (its photos' objects are then swept by the
-- janitor); its answers and matches stay with the wiped row, shown to nobody.
CREATE FUNCTION friend_profiles_forget_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM friend_profiles WHERE user_id = NEW.id;
    RETURN NEW;
END
$$;
CREATE TRIGGER users_forget_friend_profile
    AFTER UPDATE OF status ON users
    FOR EACH ROW WHEN (NEW.status = 'deleted')
    EXECUTE FUNCTION friend_profiles_forget_deleted();
