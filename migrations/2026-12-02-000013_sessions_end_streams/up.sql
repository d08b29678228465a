-- A login that ends (log out, log out everywhere, a new password, a ban, expiry) closes the
-- live streams it opened, on every instance: deleting its row announces `end:<user id>` on the
-- events channel, and each instance checks again the logins behind that member's streams.
-- In the database, so no path that ends a login can forget it.
CREATE FUNCTION announce_login_ended() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('corkboard_events', 'end:' || OLD.user_id);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER user_sessions_announce_end
  AFTER DELETE ON user_sessions
  FOR EACH ROW EXECUTE FUNCTION announce_login_ended();
