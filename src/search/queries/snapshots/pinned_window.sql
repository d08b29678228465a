SELECT l.id, l.title, l.price_cents, l.is_free, l.status, l.zip,
                l.latitude, l.longitude, l.renewed_at, l.cover_thumb_key AS thumb_key,
                l.photo_count, l.category_id, l.price_unit, l.price_max_cents, l.starts_at,
                l.sort_key, l.total_matches
         FROM (SELECT l.id, l.title, l.price_cents, l.is_free, l.status, l.zip, l.latitude,
                      l.longitude, l.renewed_at, l.cover_thumb_key, l.photo_count,
                      l.category_id, l.price_unit, l.price_max_cents, l.starts_at, (extract(epoch FROM l.renewed_at) * 1000000)::float8 AS sort_key, -1::bigint AS total_matches FROM listings l WHERE l.status IN ('active', 'pending') AND l.expires_at > now() AND l.pairs @@ (SELECT phrase_pairs(websearch_to_tsquery('english', $1))) AND ts_match_vq(l.search, (SELECT websearch_to_tsquery('english', $2))) AND l.category_id + 0 = (SELECT $3) AND COALESCE(l.price_cents, CASE WHEN l.is_free THEN 0 END) + 0 <= (SELECT $4) AND listing_day(l.renewed_at) = ANY((SELECT $5)::int4[]) AND (l.renewed_at, l.id) < ((SELECT $6), (SELECT $7)) ORDER BY l.renewed_at + interval '0 seconds' DESC, l.id DESC LIMIT 26) l ORDER BY l.renewed_at DESC, l.id DESC
