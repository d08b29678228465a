SELECT l.id, l.title, l.price_cents, l.is_free, l.status, l.zip,
                l.latitude, l.longitude, l.renewed_at, l.cover_thumb_key AS thumb_key,
                l.photo_count, l.category_id, l.price_unit, l.price_max_cents, l.starts_at,
                l.sort_key, l.total_matches
         FROM (SELECT l.id, l.title, l.price_cents, l.is_free, l.status, l.zip, l.latitude,
                      l.longitude, l.renewed_at, l.cover_thumb_key, l.photo_count,
                      l.category_id, l.price_unit, l.price_max_cents, l.starts_at, (ll_to_earth(l.latitude, l.longitude) <-> ll_to_earth($1, $2)) AS sort_key, -1::bigint AS total_matches FROM listings l WHERE l.status IN ('active', 'pending') AND l.expires_at > now() AND l.search @@ websearch_to_tsquery('english', $3) AND cube(ARRAY[$4, $5, $6]::float8[], ARRAY[$7, $8, $9]::float8[]) @> ll_to_earth(l.latitude, l.longitude) AND power(sind((l.latitude - $10) / 2), 2) + $11 * cosd(l.latitude) * power(sind((l.longitude - $12) / 2), 2) <= $13 AND ((ll_to_earth(l.latitude, l.longitude) <-> ll_to_earth($14, $15)), l.id) > ($16, $17) ORDER BY (ll_to_earth(l.latitude, l.longitude) <-> ll_to_earth($18, $19)) ASC, l.id ASC LIMIT $20) l ORDER BY l.sort_key ASC, l.id ASC
