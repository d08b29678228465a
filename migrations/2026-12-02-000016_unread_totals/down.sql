DROP TRIGGER member_unread_total ON conversation_members;
DROP FUNCTION member_unread_total();
ALTER TABLE event_streams DROP COLUMN unread;
