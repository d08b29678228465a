DELETE FROM message_reports WHERE reporter_id IS NULL;
DROP INDEX message_reports_guest_reporter_idx;
DROP INDEX message_reports_guest_idx;
DROP INDEX message_reports_member_idx;
ALTER TABLE message_reports
    DROP CONSTRAINT message_reports_one_reporter,
    DROP COLUMN reporter_guest_id,
    DROP COLUMN id,
    ALTER COLUMN reporter_id SET NOT NULL,
    ADD PRIMARY KEY (message_id, reporter_id);
