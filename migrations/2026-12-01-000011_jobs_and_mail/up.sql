-- The background job queue. A worker claims a due job (FOR UPDATE SKIP LOCKED, so no two
-- workers on any instance claim the same one) by taking a lease on it; finishing deletes the
-- row, failing schedules a retry with back-off, and after max_attempts the job is dead (kept
-- for an operator). A job whose worker died (kill -9) is claimed again when its lease runs out.
CREATE TABLE jobs (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (char_length(kind) BETWEEN 1 AND 64),
    payload      JSONB NOT NULL DEFAULT '{}',
    -- At most one job per key waits or runs at a time (periodic jobs, "one mail per …").
    unique_key   TEXT,
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 10 CHECK (max_attempts > 0),
    run_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    locked_by    TEXT,
    locked_until TIMESTAMPTZ,
    last_error   TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE state = 'pending';
CREATE UNIQUE INDEX jobs_unique_key_idx ON jobs (unique_key)
    WHERE unique_key IS NOT NULL AND state = 'pending';

-- E-mail verification: when the member proved they read their address.
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMPTZ;

-- One-time links sent by mail (password resets, address verification). Only a hash of the
-- token is kept, so a copy of this table opens nothing.
CREATE TABLE account_tokens (
    token_hash BYTEA PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('password_reset', 'verify_email')),
    -- For verification: the address the link was sent to (it must still be the account's).
    email      TEXT,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose);
CREATE INDEX account_tokens_expires_idx ON account_tokens (expires_at);
