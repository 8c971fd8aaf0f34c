"""The read-only JSON API (/api/v1): personal tokens, rate limits, routes and their OpenAPI description."""
