-- Each message's number in its conversation (1, 2, …), given as it is stored, so a numbered
-- page deep in a long history (the JSON API's `page`) is a range of the index instead of an
-- offset that skips thousands of entries on every read (issue 16). conversations.message_count
-- is the last number given; the insert takes the conversation's row lock to give the next,
-- as sending already does. A message removed later leaves its number unused (pages of that
-- conversation then hold fewer).
ALTER TABLE conversations ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN seq INTEGER;

WITH numbered AS (
    SELECT id, row_number() OVER (PARTITION BY conversation_id ORDER BY id) AS n FROM messages
)
UPDATE messages m SET seq = numbered.n FROM numbered WHERE numbered.id = m.id;
UPDATE conversations c
SET message_count = (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id);

ALTER TABLE messages ALTER COLUMN seq SET NOT NULL;
CREATE UNIQUE INDEX messages_conversation_seq_idx ON messages (conversation_id, seq);

CREATE FUNCTION messages_number() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE conversations SET message_count = message_count + 1
    WHERE id = NEW.conversation_id
    RETURNING message_count INTO NEW.seq;
    RETURN NEW;
END
$$;
CREATE TRIGGER messages_number BEFORE INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION messages_number();
