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
                     WHERE l.status IN ('active', 'pending') AND l.expires_at > now() AND l.section_id = (SELECT $1) AND l.category_id = ANY((SELECT $2)::int4[]) ORDER BY l.renewed_at DESC, l.id DESC LIMIT 8000) l WHERE TRUE AND l.search @@ (SELECT websearch_to_tsquery('english', $3)) ORDER BY l.renewed_at DESC, l.id DESC LIMIT 26) l ORDER BY l.renewed_at DESC, l.id DESC
