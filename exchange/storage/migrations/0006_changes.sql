-- One change log for every derived view (issue 9.1): each data-changing write appends rows here in
-- its own transaction. seq is allocated at commit time, in commit order (see storage/duckdb.py), so a
-- reader that has applied everything up to seq N never later finds a change numbered below N.
-- entity 'data' means "anything may have changed": derived views rebuild on it.
-- event/payload carry domain events (the outbox): a consumer delivers them after the commit.
CREATE TABLE changes (
    seq BIGINT PRIMARY KEY,
    entity VARCHAR NOT NULL,
    entity_id BIGINT,
    event VARCHAR,
    payload JSON,
    changed_at TIMESTAMP NOT NULL
);
-- How far each derived view or worker has applied the change log.
CREATE TABLE change_consumers (
    name VARCHAR PRIMARY KEY, seq BIGINT NOT NULL, updated_at TIMESTAMP NOT NULL
);
INSERT INTO changes VALUES (1, 'data', NULL, NULL, NULL, current_timestamp AT TIME ZONE 'UTC');
