ALTER TABLE rate_limits SET LOGGED;
DROP INDEX user_sessions_created_idx;
ALTER TABLE saved_searches DROP COLUMN counted_at, DROP COLUMN new_matches;
DROP INDEX listings_deleted_idx;
ALTER TABLE listings DROP COLUMN status_before_delete, DROP COLUMN deleted_at;
UPDATE categories SET attributes = (
    SELECT jsonb_agg(a - 'format' ORDER BY ord)
    FROM jsonb_array_elements(attributes) WITH ORDINALITY AS t(a, ord))
WHERE jsonb_array_length(attributes) > 0;
