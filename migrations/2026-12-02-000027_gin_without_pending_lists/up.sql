-- Every search read the GIN indexes' pending lists whole. With `fastupdate` (the default),
-- new and changed rows' entries wait in an unsorted list until a vacuum or 4 MB of them,
-- and every scan of the index reads that list from end to end: a newest-first page of a rare
-- word, which scans the words' index once per day of its window, read 141 pages of pending
-- entries 13 times (7.2 ms; 0.6 ms without them). Listings are written far less often than
-- they are searched, so each write now puts its entries in place.
ALTER INDEX listings_search_idx SET (fastupdate = off);
ALTER INDEX listings_unlisted_search_idx SET (fastupdate = off);
ALTER INDEX listings_title_trgm_idx SET (fastupdate = off);
ALTER INDEX title_words_trgm_idx SET (fastupdate = off);
SELECT gin_clean_pending_list('listings_search_idx');
SELECT gin_clean_pending_list('listings_unlisted_search_idx');
SELECT gin_clean_pending_list('listings_title_trgm_idx');
SELECT gin_clean_pending_list('title_words_trgm_idx');
