-- Issue 12: personal API tokens (only a hash is kept; the token is shown once) and the stable
-- external ids of imported records, so re-importing a file updates what it made instead of duplicating it.
CREATE SEQUENCE api_token_ids START 1;
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY DEFAULT nextval('api_token_ids'),
    user_id INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    token_hash VARCHAR NOT NULL UNIQUE,
    prefix VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
-- kind is 'lesson' or 'department'; entity_id is that table's id.
CREATE TABLE external_ids (
    kind VARCHAR NOT NULL,
    external_id VARCHAR NOT NULL,
    entity_id INTEGER NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, external_id)
);
