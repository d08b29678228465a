ALTER TABLE users DROP COLUMN message_mail;
DROP TABLE message_reports;
DROP TABLE blocks;
DROP TABLE member_events;
DROP TABLE event_streams;
DROP TABLE messages;
DROP TABLE conversation_members;
DROP TABLE conversations;
