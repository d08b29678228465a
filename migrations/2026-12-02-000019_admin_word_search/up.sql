-- The admin browser searches the words of listings in every status. The full-text index
-- covers only listed ones (the public search's), so a rare word made the planner walk the
-- posted index and filter 30,000 rows (make bench: p99 308 ms). Unlisted listings get their
-- own word index: each listing is in exactly one of the two, and the browser asks both
-- (a bitmap OR), so nothing is indexed twice.
CREATE INDEX listings_unlisted_search_idx ON listings USING gin (search)
    WHERE status NOT IN ('active', 'pending');
