-- A room's guest may report a message too: a report comes from a member or a guest, one
-- report per reporter and message either way.
ALTER TABLE message_reports DROP CONSTRAINT message_reports_pkey;
ALTER TABLE message_reports
    ADD COLUMN id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ALTER COLUMN reporter_id DROP NOT NULL,
    ADD COLUMN reporter_guest_id BIGINT REFERENCES chat_guests (id) ON DELETE CASCADE,
    ADD CONSTRAINT message_reports_one_reporter
        CHECK ((reporter_id IS NULL) <> (reporter_guest_id IS NULL));
CREATE UNIQUE INDEX message_reports_member_idx
    ON message_reports (message_id, reporter_id) WHERE reporter_id IS NOT NULL;
CREATE UNIQUE INDEX message_reports_guest_idx
    ON message_reports (message_id, reporter_guest_id) WHERE reporter_guest_id IS NOT NULL;
CREATE INDEX message_reports_guest_reporter_idx
    ON message_reports (reporter_guest_id) WHERE reporter_guest_id IS NOT NULL;
