-- A category's per-ZIP counts are read one category at a time (the search's circle sizes).
CREATE INDEX zip_category_counts_category_idx ON zip_category_counts (category_id) INCLUDE (listings);
