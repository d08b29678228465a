SELECT l.id, l.title, l.price_cents, l.is_free, l.status, l.zip,
                l.latitude, l.longitude, l.renewed_at, l.cover_thumb_key AS thumb_key,
                l.photo_count, l.category_id, l.price_unit, l.price_max_cents, l.starts_at, COALESCE(l.price_cents, CASE WHEN l.is_free THEN 0 END)::float8 AS sort_key, t.total_matches
         FROM (SELECT c.*, count(*) OVER () AS total_matches
               FROM (SELECT l.id, l.renewed_at, COALESCE(l.price_cents, CASE WHEN l.is_free THEN 0 END)::float8 AS sort_key FROM listings l WHERE l.status IN ('active', 'pending') AND l.expires_at > now() AND l.search @@ websearch_to_tsquery('english', $1) AND COALESCE(l.price_cents, CASE WHEN l.is_free THEN 0 END) IS NOT NULL LIMIT $2) c ORDER BY c.sort_key ASC, c.id ASC LIMIT $3) t JOIN listings l ON l.id = t.id ORDER BY t.sort_key ASC, t.id ASC
