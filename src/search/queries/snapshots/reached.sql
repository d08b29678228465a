SELECT count(*) AS n FROM listings l
         WHERE l.status IN ('active', 'pending') AND (l.renewed_at, l.id) >= ($1, $2) AND (l.renewed_at, l.id) < ($3, $4)
