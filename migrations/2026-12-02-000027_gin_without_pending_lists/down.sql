ALTER INDEX listings_search_idx RESET (fastupdate);
ALTER INDEX listings_unlisted_search_idx RESET (fastupdate);
ALTER INDEX listings_title_trgm_idx RESET (fastupdate);
ALTER INDEX title_words_trgm_idx RESET (fastupdate);
