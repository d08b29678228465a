SELECT l.id, l.title, l.price_cents, l.is_free, l.status, l.zip,
                l.latitude, l.longitude, l.renewed_at, l.cover_thumb_key AS thumb_key,
                l.photo_count, l.category_id, l.price_unit, l.price_max_cents, l.starts_at,
                l.sort_key, l.total_matches
         FROM (SELECT l.id, l.title, l.price_cents, l.is_free, l.status, l.zip, l.latitude,
                      l.longitude, l.renewed_at, l.cover_thumb_key, l.photo_count,
                      l.category_id, l.price_unit, l.price_max_cents, l.starts_at, (extract(epoch FROM l.renewed_at) * 1000000)::float8 AS sort_key, -1::bigint AS total_matches FROM listings l WHERE l.status IN ('active', 'pending') AND l.expires_at > now() AND l.search @@ websearch_to_tsquery('english', $1) AND cube(ARRAY[$2, $3, $4]::float8[], ARRAY[$5, $6, $7]::float8[]) @> ll_to_earth(l.latitude, l.longitude) AND power(sind((l.latitude - $8) / 2), 2) + $9 * cosd(l.latitude) * power(sind((l.longitude - $10) / 2), 2) <= $11 ORDER BY l.renewed_at DESC, l.id DESC LIMIT $12) l ORDER BY l.renewed_at DESC, l.id DESC
