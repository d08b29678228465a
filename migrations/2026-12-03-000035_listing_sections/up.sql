-- Each listing's section, kept from its category by triggers, and a newest-first index per
-- section. A section's page (every category of a section, often within a circle) walked the
-- newest-first index of all public listings and skipped those of other sections: in a city,
-- some 470 listings read for a page of 26, against about 150 through this index. The page
-- statements name the section and still its categories (a retired category's listings stay
-- off its section's pages); the extended statistics tell the planner that the one follows
-- from the other, so the two conditions are not counted as independent.
CREATE FUNCTION category_section(category INTEGER) RETURNS SMALLINT LANGUAGE sql STABLE AS $$
    SELECT c.section_id FROM categories c WHERE c.id = category
$$;

-- Filled by rewriting the table once (its indexes are built again in bulk), not by updating
-- every row: an UPDATE wrote a new version of each row into all of the table's indexes, and
-- did not finish in a quarter of an hour on a million listings. A rewrite fires no trigger,
-- so the "updated" time visitors see stays as it was.
ALTER TABLE listings ADD COLUMN section_id INTEGER;
ALTER TABLE listings
    ALTER COLUMN section_id TYPE SMALLINT USING category_section(category_id),
    ALTER COLUMN section_id SET NOT NULL;

CREATE FUNCTION set_listing_section() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.section_id := category_section(NEW.category_id);
    RETURN NEW;
END
$$;
CREATE TRIGGER listings_section
    BEFORE INSERT OR UPDATE OF category_id ON listings
    FOR EACH ROW EXECUTE FUNCTION set_listing_section();

-- Categories stay in their section today; should one ever move, its listings follow it.
CREATE FUNCTION move_category_listings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE listings SET section_id = NEW.section_id WHERE category_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER categories_section
    AFTER UPDATE OF section_id ON categories
    FOR EACH ROW WHEN (OLD.section_id IS DISTINCT FROM NEW.section_id)
    EXECUTE FUNCTION move_category_listings();

CREATE INDEX listings_section_newest_idx ON listings (section_id, renewed_at DESC, id DESC)
    WHERE status IN ('active', 'pending');

CREATE STATISTICS listings_category_section (dependencies) ON category_id, section_id
    FROM listings;
ANALYZE listings;
