-- Refresh tokens of the JSON API (issue 16). Stored hashed; each use rotates the token within
-- its family, and the used one is kept (with used_at) until it expires, so that using it again
-- is recognised as theft and ends the whole family. A token also records the member's
-- auth_epoch, so logging out everywhere, a password change or a ban ends it.
CREATE TABLE api_refresh_tokens (
    token_hash  BYTEA PRIMARY KEY,
    family      UUID NOT NULL,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    auth_epoch  INTEGER NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ
);

CREATE INDEX api_refresh_tokens_family ON api_refresh_tokens (family);
CREATE INDEX api_refresh_tokens_user ON api_refresh_tokens (user_id);
CREATE INDEX api_refresh_tokens_expires ON api_refresh_tokens (expires_at);
