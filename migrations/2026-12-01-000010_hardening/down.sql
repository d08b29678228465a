ALTER TABLE rate_limits SET LOGGED;
DROP INDEX user_sessions_created_idx;
ALTER TABLE saved_searches DROP COLUMN counted_at, DROP COLUMN new_matches;
DROP INDEX listings_deleted_idx;
ALTER TABLE listings DROP COLUMN status_before_delete, DROP COLUMN deleted_at;
