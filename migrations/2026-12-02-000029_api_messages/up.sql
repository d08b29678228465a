-- Messages through the JSON API (issue 16).
--
-- An image message is either a photo stored here (image_key, through the photo pipeline) or a
-- link to an image elsewhere with the size its sender gives (image_url). Pages show a link
-- as a link, never as an <img>: a reader's browser does not fetch from a stranger's server.
ALTER TABLE messages ADD COLUMN image_url TEXT CHECK (char_length(image_url) <= 2048);
ALTER TABLE messages DROP CONSTRAINT messages_check;
ALTER TABLE messages ADD CONSTRAINT messages_content_check CHECK (CASE kind
    WHEN 'text' THEN body <> ''
    WHEN 'image' THEN (image_key IS NULL) <> (image_url IS NULL)
        AND image_width > 0 AND image_height > 0
    WHEN 'video' THEN video_source IS NOT NULL AND video_id IS NOT NULL
END);

-- Conversations of kind 'direct' are between two members about nothing in particular: one per
-- pair, whoever writes first. pair_key is "<smaller id>:<larger id>".
ALTER TABLE conversations ADD COLUMN pair_key TEXT;
CREATE UNIQUE INDEX conversations_direct_pair_idx ON conversations (pair_key)
    WHERE kind = 'direct';
