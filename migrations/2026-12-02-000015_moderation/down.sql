DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE listing_history;
DROP FUNCTION listing_history_record();
DROP INDEX message_reports_open_idx;
ALTER TABLE message_reports DROP COLUMN decision, DROP COLUMN decided_at;
DROP TABLE profile_reports;
DROP TABLE appeals;
DROP TABLE flags;
DROP INDEX messages_created_brin_idx, users_created_idx;
DROP INDEX listings_posted_idx, listings_status_posted_idx, listings_category_posted_idx,
    listings_flagged_idx;
ALTER TABLE listings
    DROP COLUMN moderation_reason, DROP COLUMN moderated_at,
    DROP COLUMN status_before_moderation, DROP COLUMN flag_weight, DROP COLUMN hidden_by_ban;
ALTER TABLE listings DROP CONSTRAINT listings_status_check;
UPDATE listings SET status = 'hidden' WHERE status = 'held';
ALTER TABLE listings ADD CONSTRAINT listings_status_check
    CHECK (status IN ('active', 'pending', 'sold', 'expired', 'deleted', 'hidden', 'removed'));
