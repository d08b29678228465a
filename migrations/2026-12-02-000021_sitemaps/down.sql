DROP INDEX listings_public_id_idx;
