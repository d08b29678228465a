-- Members and admins. Usernames and e-mail addresses are unique whatever their letter case.
-- A deleted account keeps its row (messages still name a sender) with its personal data wiped.
CREATE TABLE users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      TEXT NOT NULL CHECK (username ~ '^[A-Za-z0-9_-]{3,40}$'),
    email         TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    password_hash TEXT NOT NULL,
    display_name  TEXT NOT NULL DEFAULT '' CHECK (length(display_name) <= 50),
    bio           TEXT NOT NULL DEFAULT '' CHECK (length(bio) <= 1000),
    home_zip      TEXT CHECK (home_zip ~ '^[0-9]{5}$'),
    avatar_key    TEXT,
    role          TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'admin')),
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'banned', 'deleted')),
    -- Bumped to end every session of the user at once (log out everywhere, password change, ban).
    auth_epoch    INTEGER NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at    TIMESTAMPTZ
);
CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
SELECT diesel_manage_updated_at('users');

-- Fixed-window counters for rate limits, shared by every instance.
CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY,
    window_start TIMESTAMPTZ NOT NULL,
    hits         INTEGER NOT NULL
);
CREATE INDEX rate_limits_window_start_idx ON rate_limits (window_start);

-- One row per login. The cookie holds a random token; only its SHA-256 is stored, so a copy of
-- this table cannot be replayed. Logging out deletes the row, so a copied cookie dies with it.
CREATE TABLE user_sessions (
    token_hash   BYTEA PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The user's auth_epoch at login; the session is dead once they differ.
    auth_epoch   INTEGER NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX user_sessions_user_id_idx ON user_sessions (user_id);
