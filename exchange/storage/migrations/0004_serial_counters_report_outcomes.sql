CREATE TABLE serial_counters (
    scope VARCHAR NOT NULL, subject_id BIGINT NOT NULL, hits BIGINT NOT NULL DEFAULT 0,
    touched_at TIMESTAMP NOT NULL, PRIMARY KEY (scope, subject_id)
);
ALTER TABLE lesson_reports ADD COLUMN outcome VARCHAR;
ALTER TABLE lesson_reports ADD COLUMN resolved_by INTEGER;
ALTER TABLE lessons ADD COLUMN updated_by INTEGER;
