SELECT l.id, l.title, l.price_cents, l.is_free, l.status, l.zip,
                l.latitude, l.longitude, l.renewed_at, l.cover_thumb_key AS thumb_key,
                l.photo_count, l.category_id, l.price_unit, l.price_max_cents, l.starts_at,
                l.sort_key, l.total_matches
         FROM (SELECT l.id, l.title, l.price_cents, l.is_free, l.status, l.zip, l.latitude,
                      l.longitude, l.renewed_at, l.cover_thumb_key, l.photo_count,
                      l.category_id, l.price_unit, l.price_max_cents, l.starts_at, ts_rank_cd(l.search, websearch_to_tsquery('english', $1))::float8 AS sort_key, -1::bigint AS total_matches FROM listings l WHERE l.status IN ('active', 'pending') AND l.expires_at > now() AND l.search @@ websearch_to_tsquery('english', $2) AND (ts_rank_cd(l.search, websearch_to_tsquery('english', $3))::float8, l.id) < ($4, $5) ORDER BY ts_rank_cd(l.search, websearch_to_tsquery('english', $6))::float8 DESC, l.id DESC LIMIT $7) l ORDER BY l.sort_key DESC, l.id DESC
