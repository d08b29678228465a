SELECT l.id, l.title, l.price_cents, l.is_free, l.status, l.zip,
                l.latitude, l.longitude, l.renewed_at, l.cover_thumb_key AS thumb_key,
                l.photo_count, l.category_id, l.price_unit, l.price_max_cents, l.starts_at,
                l.sort_key, l.total_matches
         FROM (SELECT l.id, l.title, l.price_cents, l.is_free, l.status, l.zip, l.latitude,
                      l.longitude, l.renewed_at, l.cover_thumb_key, l.photo_count,
                      l.category_id, l.price_unit, l.price_max_cents, l.starts_at, (extract(epoch FROM l.renewed_at) * 1000000)::float8 AS sort_key, -1::bigint AS total_matches
               FROM (SELECT l.id, l.title, l.price_cents, l.is_free, l.status, l.zip,
                            l.latitude, l.longitude, l.renewed_at, l.cover_thumb_key,
                            l.photo_count, l.category_id, l.price_unit, l.price_max_cents,
                            l.starts_at, l.search, l.attributes
                     FROM listings l
                     WHERE l.status IN ('active', 'pending') AND l.expires_at > now() AND l.category_id = (SELECT $1) AND (l.renewed_at, l.id) < ((SELECT $2), (SELECT $3)) ORDER BY l.renewed_at DESC, l.id DESC LIMIT 8000) l WHERE TRUE AND l.search @@ (SELECT websearch_to_tsquery('english', $4)) AND COALESCE(l.price_cents, CASE WHEN l.is_free THEN 0 END) >= (SELECT $5) AND COALESCE(l.price_cents, CASE WHEN l.is_free THEN 0 END) <= (SELECT $6) AND l.photo_count > 0 AND l.latitude BETWEEN (SELECT $7) AND (SELECT $8) AND l.longitude BETWEEN (SELECT $9) AND (SELECT $10) AND power(sind((l.latitude - (SELECT $11)) / 2), 2) + (SELECT $12) * cosd(l.latitude) * power(sind((l.longitude - (SELECT $13)) / 2), 2) <= (SELECT $14) ORDER BY l.renewed_at DESC, l.id DESC LIMIT 26) l ORDER BY l.renewed_at DESC, l.id DESC
