-- Sign-in sessions: the browser keeps a random token in an HttpOnly cookie, the table only its SHA-256.
CREATE TABLE sessions (
    id VARCHAR PRIMARY KEY, user_id INTEGER NOT NULL, started_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL, ended_at TIMESTAMP, end_reason VARCHAR
);
CREATE INDEX sessions_by_user ON sessions (user_id);
-- One-time codes (60 s) handing a new session to the cookie route, the token sealed with the code.
CREATE TABLE session_handoffs (
    id VARCHAR PRIMARY KEY, sealed_token VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL
);
