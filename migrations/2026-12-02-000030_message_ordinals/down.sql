DROP TRIGGER messages_number ON messages;
DROP FUNCTION messages_number();
DROP INDEX messages_conversation_seq_idx;
ALTER TABLE messages DROP COLUMN seq;
ALTER TABLE conversations DROP COLUMN message_count;
