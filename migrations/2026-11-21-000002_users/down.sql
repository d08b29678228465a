DROP TABLE user_sessions;
DROP TABLE rate_limits;
DROP TABLE users;
