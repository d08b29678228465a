SELECT count(*) FILTER (WHERE s.hit) AS hits, count(*) AS n FROM (SELECT (l.status IN ('active', 'pending') AND l.expires_at > now() AND l.search @@ websearch_to_tsquery('english', $1)) AS hit FROM listings l WHERE l.status IN ('active', 'pending') AND l.expires_at > now()
         ORDER BY l.renewed_at DESC, l.id DESC LIMIT $2) s
