-- Each member's unread messages over all their conversations, kept beside their event
-- stream's head by a trigger on the memberships, so every page's header reads both from one
-- row (summing a busy seller's hundreds of conversations on every page cost more than the
-- rest of the page). Members' rows are locked in the same order as before: the conversation's
-- row lock comes first on every path that changes `unread`.
ALTER TABLE event_streams ADD COLUMN unread BIGINT NOT NULL DEFAULT 0;

INSERT INTO event_streams (user_id, unread)
SELECT user_id, sum(unread) FROM conversation_members
WHERE user_id IS NOT NULL AND unread > 0
GROUP BY user_id
ON CONFLICT (user_id) DO UPDATE SET unread = EXCLUDED.unread;

CREATE FUNCTION member_unread_total() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.user_id IS NOT DISTINCT FROM NEW.user_id THEN
        IF NEW.user_id IS NOT NULL AND NEW.unread <> OLD.unread THEN
            INSERT INTO event_streams (user_id, unread) VALUES (NEW.user_id, NEW.unread - OLD.unread)
            ON CONFLICT (user_id) DO UPDATE SET unread = event_streams.unread + EXCLUDED.unread;
        END IF;
        RETURN NULL;
    END IF;
    -- A row that leaves a member (deleted, or moved to another) takes its count with it. No
    -- insert here: a member being deleted takes their stream row with them.
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.user_id IS NOT NULL AND OLD.unread <> 0 THEN
        UPDATE event_streams SET unread = unread - OLD.unread WHERE user_id = OLD.user_id;
    END IF;
    -- A row that arrives brings its count.
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.user_id IS NOT NULL AND NEW.unread <> 0 THEN
        INSERT INTO event_streams (user_id, unread) VALUES (NEW.user_id, NEW.unread)
        ON CONFLICT (user_id) DO UPDATE SET unread = event_streams.unread + EXCLUDED.unread;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER member_unread_total
    AFTER INSERT OR DELETE OR UPDATE OF unread, user_id ON conversation_members
    FOR EACH ROW EXECUTE FUNCTION member_unread_total();
