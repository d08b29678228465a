-- Admins edit the category tree without a deploy. A retired category keeps its listings (and
-- their pages) but takes no new ones and leaves the site's menus.
ALTER TABLE categories
    ADD COLUMN retired_at TIMESTAMPTZ,
    ADD CONSTRAINT categories_name_length CHECK (char_length(name) BETWEEN 1 AND 60);
