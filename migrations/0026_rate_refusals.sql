-- Calls refused by a rate limit, per day, route and limit: the provider's
-- metrics of floods (GET /api/v1/provider/services, `rate_limits`).
CREATE TABLE rate_refusals (
    day INTEGER NOT NULL,
    route TEXT NOT NULL,
    limit_name TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (day, route, limit_name)
);
