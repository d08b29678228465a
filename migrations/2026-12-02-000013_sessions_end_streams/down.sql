DROP TRIGGER user_sessions_announce_end ON user_sessions;
DROP FUNCTION announce_login_ended();
