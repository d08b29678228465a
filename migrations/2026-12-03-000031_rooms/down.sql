DROP INDEX conversations_rooms_idle_idx;
ALTER TABLE conversations DROP COLUMN revision, DROP COLUMN closed_at, DROP COLUMN owner_guest_id;
ALTER TABLE conversations DROP CONSTRAINT IF EXISTS conversations_check;
DROP INDEX conversation_members_guest_rooms_idx;
DROP INDEX conversation_members_room_name_idx;
DROP INDEX conversation_members_guest_idx;
ALTER TABLE conversation_members
    DROP COLUMN removed_at, DROP COLUMN seen_at, DROP COLUMN display_name, DROP COLUMN guest_id;
DROP TABLE chat_guests;
