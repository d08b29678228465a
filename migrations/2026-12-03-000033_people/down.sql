DELETE FROM messages WHERE kind = 'system';
ALTER TABLE messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE messages ADD CONSTRAINT messages_kind_check CHECK (kind IN ('text', 'image', 'video'));
DROP TABLE friend_matches;
DROP TABLE friend_answers;
DROP TABLE friend_photos;
DROP TABLE friend_profiles;
