-- Conversations between members, and later chat rooms and friend matches. A conversation of
-- kind 'listing' is about one listing and was started by its buyer: one per listing and buyer.
CREATE TABLE conversations (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('listing', 'direct', 'room', 'match')),
    listing_id      BIGINT REFERENCES listings (id) ON DELETE SET NULL,
    started_by      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    -- Rooms: the unguessable key of their share link, and their name.
    room_key        TEXT UNIQUE,
    title           TEXT CHECK (char_length(title) <= 100),
    last_message_at TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX conversations_listing_buyer_idx ON conversations (listing_id, started_by)
    WHERE kind = 'listing';

-- Who takes part, and where each of them is: what they have read, whether they archived it,
-- when they were last mailed about it. `activity_at` copies the conversation's last message
-- time so an inbox is one index scan.
CREATE TABLE conversation_members (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id      BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id              BIGINT REFERENCES users (id) ON DELETE CASCADE,
    last_read_message_id BIGINT NOT NULL DEFAULT 0,
    unread               INTEGER NOT NULL DEFAULT 0 CHECK (unread >= 0),
    archived             BOOLEAN NOT NULL DEFAULT false,
    activity_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    read_at              TIMESTAMPTZ,
    notified_at          TIMESTAMPTZ,
    joined_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (conversation_id, user_id)
);
CREATE INDEX conversation_members_inbox_idx
    ON conversation_members (user_id, archived, activity_at DESC, conversation_id DESC);
CREATE INDEX conversation_members_unread_idx ON conversation_members (user_id) WHERE unread > 0;

-- Messages. Ids are in commit order within a conversation: a sender holds the conversation's
-- row lock from taking an id to committing.
CREATE TABLE messages (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    member_id       BIGINT NOT NULL REFERENCES conversation_members (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('text', 'image', 'video')),
    body            TEXT NOT NULL DEFAULT '' CHECK (char_length(body) <= 5000),
    image_key       TEXT,
    image_width     INTEGER,
    image_height    INTEGER,
    video_source    TEXT CHECK (video_source IN ('youtube', 'vimeo', 'vevo')),
    video_id        TEXT CHECK (char_length(video_id) <= 64),
    video_seconds   INTEGER CHECK (video_seconds >= 0),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (CASE kind
        WHEN 'text' THEN body <> ''
        WHEN 'image' THEN image_key IS NOT NULL AND image_width > 0 AND image_height > 0
        WHEN 'video' THEN video_source IS NOT NULL AND video_id IS NOT NULL
    END)
);
CREATE INDEX messages_conversation_idx ON messages (conversation_id, id);
CREATE INDEX messages_member_idx ON messages (member_id, id);

-- Each member's stream of live events (new messages, read receipts, unread counts), numbered
-- per member in commit order (the writer holds the member's `event_streams` row), so a page
-- that reconnects with the last number it saw misses nothing. Kept two days.
CREATE TABLE event_streams (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    seq     BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE member_events (
    user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('message', 'seen', 'unread')),
    conversation_id BIGINT REFERENCES conversations (id) ON DELETE CASCADE,
    message_id      BIGINT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, seq)
);
CREATE INDEX member_events_created_idx ON member_events (created_at);

-- A member who will not hear from another.
CREATE TABLE blocks (
    blocker_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (blocker_id, blocked_id),
    CHECK (blocker_id <> blocked_id)
);
CREATE INDEX blocks_blocked_idx ON blocks (blocked_id);

-- Messages reported to the moderators, one report per member and message.
CREATE TABLE message_reports (
    message_id  BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    reporter_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason      TEXT NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 1000),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (message_id, reporter_id)
);

-- Whether a member is mailed about new messages (settings, or the unsubscribe link).
ALTER TABLE users ADD COLUMN message_mail BOOLEAN NOT NULL DEFAULT true;
