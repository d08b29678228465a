DROP TABLE api_refresh_tokens;
