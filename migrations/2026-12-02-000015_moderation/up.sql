-- Moderation: members flag listings, enough weighted flags hold a listing, owners appeal,
-- members report messages and profiles, admins decide, and every admin action is audited.

-- A listing "held" for review (by flags or an admin) replaces the unused "hidden".
ALTER TABLE listings DROP CONSTRAINT listings_status_check;
UPDATE listings SET status = 'held' WHERE status = 'hidden';
ALTER TABLE listings ADD CONSTRAINT listings_status_check
    CHECK (status IN ('active', 'pending', 'sold', 'expired', 'deleted', 'held', 'removed'));

-- Why a held or removed listing is off the site (shown to its owner), since when (one appeal
-- per such episode), what it was before (a restore returns it there), the weight of its
-- undecided flags (kept by the app under the listing's row lock), and whether a ban hid it.
ALTER TABLE listings
    ADD COLUMN moderation_reason TEXT CHECK (char_length(moderation_reason) <= 1000),
    ADD COLUMN moderated_at TIMESTAMPTZ,
    ADD COLUMN status_before_moderation TEXT,
    ADD COLUMN flag_weight REAL NOT NULL DEFAULT 0,
    -- Held because its owner was banned: unbanning brings back exactly these.
    ADD COLUMN hidden_by_ban BOOLEAN NOT NULL DEFAULT false;

-- The admin listing browser: every status, newest posted first, one index per filter.
CREATE INDEX listings_posted_idx ON listings (created_at DESC, id DESC);
CREATE INDEX listings_status_posted_idx ON listings (status, created_at DESC, id DESC);
CREATE INDEX listings_category_posted_idx ON listings (category_id, created_at DESC, id DESC);
CREATE INDEX listings_flagged_idx ON listings (flag_weight DESC, id DESC) WHERE flag_weight > 0;

-- The admin dashboard counts what arrived per day: messages arrive in time order, so a BRIN
-- index (a few pages for millions of rows) finds a month of them; flags have their own.
CREATE INDEX messages_created_brin_idx ON messages USING brin (created_at);
CREATE INDEX users_created_idx ON users (created_at);

-- One flag per member per listing. `weight` is fixed when the flag is made, from the
-- flagger's record; a decided flag stays (it is the record the next weights come from).
CREATE TABLE flags (
    listing_id BIGINT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason     TEXT NOT NULL
               CHECK (reason IN ('prohibited', 'spam', 'miscategorized', 'scam', 'other')),
    note       TEXT NOT NULL DEFAULT '' CHECK (char_length(note) <= 500),
    weight     REAL NOT NULL CHECK (weight > 0),
    decision   TEXT CHECK (decision IN ('upheld', 'rejected')),
    decided_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (listing_id, user_id)
);
CREATE INDEX flags_user_idx ON flags (user_id, created_at DESC);
CREATE INDEX flags_created_idx ON flags (created_at);

-- An owner's appeal against a hold or removal: one per episode (`moderated_at`).
CREATE TABLE appeals (
    id           BIGSERIAL PRIMARY KEY,
    listing_id   BIGINT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message      TEXT NOT NULL CHECK (char_length(message) BETWEEN 1 AND 1000),
    moderated_at TIMESTAMPTZ NOT NULL,
    decision     TEXT CHECK (decision IN ('granted', 'denied')),
    decided_at   TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (listing_id, moderated_at)
);
CREATE INDEX appeals_open_idx ON appeals (created_at) WHERE decision IS NULL;

-- Reports of a member's profile; message reports gain the same decision.
CREATE TABLE profile_reports (
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reporter_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason      TEXT NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 1000),
    decision    TEXT CHECK (decision IN ('upheld', 'rejected')),
    decided_at  TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, reporter_id)
);
CREATE INDEX profile_reports_open_idx ON profile_reports (created_at) WHERE decision IS NULL;
ALTER TABLE message_reports
    ADD COLUMN decision TEXT CHECK (decision IN ('upheld', 'rejected')),
    ADD COLUMN decided_at TIMESTAMPTZ;
CREATE INDEX message_reports_open_idx ON message_reports (created_at) WHERE decision IS NULL;

-- What changed in a listing, and when: written by the database on every update that touches
-- what a visitor reads, so no code path can forget. The actor is whoever the transaction
-- names (`SET LOCAL corkboard.actor`); none means the owner or the site itself.
CREATE TABLE listing_history (
    id         BIGSERIAL PRIMARY KEY,
    listing_id BIGINT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    actor_id   BIGINT,
    changes    JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX listing_history_listing_idx ON listing_history (listing_id, id DESC);

CREATE FUNCTION listing_history_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed JSONB := '{}';
BEGIN
    IF OLD.title IS DISTINCT FROM NEW.title THEN
        changed := changed || jsonb_build_object('title', jsonb_build_array(OLD.title, NEW.title));
    END IF;
    IF OLD.body IS DISTINCT FROM NEW.body THEN
        changed := changed || jsonb_build_object('body', jsonb_build_array(OLD.body, NEW.body));
    END IF;
    IF OLD.price_cents IS DISTINCT FROM NEW.price_cents OR OLD.is_free IS DISTINCT FROM NEW.is_free THEN
        changed := changed || jsonb_build_object('price', jsonb_build_array(
            CASE WHEN OLD.is_free THEN 'free' ELSE OLD.price_cents::text END,
            CASE WHEN NEW.is_free THEN 'free' ELSE NEW.price_cents::text END));
    END IF;
    IF OLD.category_id IS DISTINCT FROM NEW.category_id THEN
        changed := changed || jsonb_build_object('category', jsonb_build_array(
            (SELECT name FROM categories WHERE id = OLD.category_id),
            (SELECT name FROM categories WHERE id = NEW.category_id)));
    END IF;
    IF OLD.zip IS DISTINCT FROM NEW.zip THEN
        changed := changed || jsonb_build_object('zip', jsonb_build_array(OLD.zip, NEW.zip));
    END IF;
    IF OLD.attributes IS DISTINCT FROM NEW.attributes THEN
        changed := changed || jsonb_build_object('details', jsonb_build_array(OLD.attributes, NEW.attributes));
    END IF;
    IF OLD.status IS DISTINCT FROM NEW.status THEN
        changed := changed || jsonb_build_object('status', jsonb_build_array(OLD.status, NEW.status));
    END IF;
    INSERT INTO listing_history (listing_id, actor_id, changes)
    VALUES (NEW.id, nullif(current_setting('corkboard.actor', true), '')::bigint, changed);
    RETURN NULL;
END;
$$;
CREATE TRIGGER listing_history_record AFTER UPDATE ON listings FOR EACH ROW
    WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.body IS DISTINCT FROM NEW.body
          OR OLD.price_cents IS DISTINCT FROM NEW.price_cents
          OR OLD.is_free IS DISTINCT FROM NEW.is_free
          OR OLD.category_id IS DISTINCT FROM NEW.category_id OR OLD.zip IS DISTINCT FROM NEW.zip
          OR OLD.attributes IS DISTINCT FROM NEW.attributes OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION listing_history_record();

-- Every admin action: who, what, on what, why, when. Append-only: the app has no path that
-- changes or removes an entry, and the database refuses one.
CREATE TABLE audit_log (
    id           BIGSERIAL PRIMARY KEY,
    admin_id     BIGINT NOT NULL REFERENCES users (id),
    action       TEXT NOT NULL,
    target_kind  TEXT NOT NULL,
    target_id    BIGINT NOT NULL,
    target_label TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_created_idx ON audit_log (created_at DESC, id DESC);
CREATE INDEX audit_log_target_idx ON audit_log (target_kind, target_id, id DESC);
CREATE INDEX audit_log_admin_idx ON audit_log (admin_id, id DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
