DROP INDEX conversations_direct_pair_idx;
ALTER TABLE conversations DROP COLUMN pair_key;
DELETE FROM messages WHERE image_url IS NOT NULL;
ALTER TABLE messages DROP CONSTRAINT messages_content_check;
ALTER TABLE messages DROP COLUMN image_url;
ALTER TABLE messages ADD CONSTRAINT messages_check CHECK (CASE kind
    WHEN 'text' THEN body <> ''
    WHEN 'image' THEN image_key IS NOT NULL AND image_width > 0 AND image_height > 0
    WHEN 'video' THEN video_source IS NOT NULL AND video_id IS NOT NULL
END);
