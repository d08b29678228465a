-- Chat rooms (issue 17): conversations of kind 'room', joined through a share link by members
-- and by guests. A guest is a chat name remembered by the browser's session (the token is
-- stored hashed, like logins); the same name is offered in every room that browser joins.
CREATE TABLE chat_guests (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash   BYTEA NOT NULL UNIQUE,
    name         TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 32),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX chat_guests_seen_idx ON chat_guests (last_seen_at);

-- A room's participant is a member (user_id) or a guest (guest_id), with the name the room
-- shows (told apart from others' by a suffix), when they were last here (who is here now),
-- and, once the owner removed them, when.
ALTER TABLE conversation_members
    ADD COLUMN guest_id     BIGINT REFERENCES chat_guests (id) ON DELETE CASCADE,
    ADD COLUMN display_name TEXT CHECK (char_length(display_name) BETWEEN 1 AND 40),
    ADD COLUMN seen_at      TIMESTAMPTZ,
    ADD COLUMN removed_at   TIMESTAMPTZ,
    ADD CHECK (user_id IS NULL OR guest_id IS NULL);
CREATE UNIQUE INDEX conversation_members_guest_idx
    ON conversation_members (conversation_id, guest_id) WHERE guest_id IS NOT NULL;
CREATE UNIQUE INDEX conversation_members_room_name_idx
    ON conversation_members (conversation_id, lower(display_name)) WHERE display_name IS NOT NULL;
CREATE INDEX conversation_members_guest_rooms_idx
    ON conversation_members (guest_id) WHERE guest_id IS NOT NULL;

-- A room's owner is the member (started_by) or the guest who made it; a closed room is
-- read-only. Keys are at least 128 random bits; rotating one replaces it. `revision` counts
-- the owner's changes (a name, a removed message or participant, closing, a new link), so an
-- open page's stream notices one and reloads.
ALTER TABLE conversations
    ADD COLUMN owner_guest_id BIGINT REFERENCES chat_guests (id) ON DELETE SET NULL,
    ADD COLUMN closed_at      TIMESTAMPTZ,
    ADD COLUMN revision       INTEGER NOT NULL DEFAULT 0,
    ADD CHECK (kind <> 'room' OR (room_key IS NOT NULL AND char_length(room_key) >= 22));
CREATE INDEX conversations_rooms_idle_idx ON conversations (last_message_at)
    WHERE kind = 'room' AND closed_at IS NULL;
