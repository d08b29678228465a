SELECT l.id, l.title, l.price_cents, l.is_free, l.status, l.zip,
                l.latitude, l.longitude, l.renewed_at, l.cover_thumb_key AS thumb_key,
                l.photo_count, l.category_id, l.price_unit, l.price_max_cents, l.starts_at,
                l.sort_key, l.total_matches
         FROM (SELECT l.id, l.title, l.price_cents, l.is_free, l.status, l.zip, l.latitude,
                      l.longitude, l.renewed_at, l.cover_thumb_key, l.photo_count,
                      l.category_id, l.price_unit, l.price_max_cents, l.starts_at, COALESCE(l.price_cents, CASE WHEN l.is_free THEN 0 END)::float8 AS sort_key, -1::bigint AS total_matches FROM listings l WHERE l.status IN ('active', 'pending') AND l.expires_at > now() AND l.search @@ websearch_to_tsquery('english', $1) AND l.category_id = $2 AND COALESCE(l.price_cents, CASE WHEN l.is_free THEN 0 END) >= $3 AND COALESCE(l.price_cents, CASE WHEN l.is_free THEN 0 END) <= $4 AND l.photo_count > 0 AND (l.attributes ->> $5)::float8 >= $6 AND lower(l.attributes ->> $7) = lower($8) AND (l.attributes -> $9) = to_jsonb($10::boolean) AND COALESCE(l.price_cents, CASE WHEN l.is_free THEN 0 END) IS NOT NULL AND (COALESCE(l.price_cents, CASE WHEN l.is_free THEN 0 END)::float8, l.id) > ($11, $12) ORDER BY COALESCE(l.price_cents, CASE WHEN l.is_free THEN 0 END) ASC, l.id ASC LIMIT $13) l ORDER BY l.sort_key ASC, l.id ASC
