-- How often each listing's page was opened by someone other than its owner. Kept apart from
-- `listings` so that counting views (flushed in batches by every instance) never rewrites a
-- listing row, its indexes or fires its triggers.
CREATE TABLE listing_views (
    listing_id bigint PRIMARY KEY REFERENCES listings (id) ON DELETE CASCADE,
    views bigint NOT NULL DEFAULT 0 CHECK (views >= 0)
);

-- The reminders sent that a listing is about to expire: one per listing and expiry, so a
-- renewed listing is reminded again before its new expiry and a retried job never twice.
CREATE TABLE expiry_reminders (
    listing_id bigint NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    sent_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (listing_id, expires_at)
);
CREATE INDEX expiry_reminders_expires_idx ON expiry_reminders (expires_at);

-- Whether a member wants the reminder mail before their listings expire.
ALTER TABLE users ADD COLUMN expiry_mail boolean NOT NULL DEFAULT true;
