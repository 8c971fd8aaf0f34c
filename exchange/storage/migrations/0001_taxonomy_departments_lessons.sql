CREATE TABLE categories (
    id INTEGER PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, position INTEGER NOT NULL
);
CREATE TABLE practices (
    id INTEGER PRIMARY KEY, category_id INTEGER NOT NULL, name VARCHAR NOT NULL UNIQUE,
    description VARCHAR NOT NULL DEFAULT '', confirmed BOOLEAN NOT NULL DEFAULT TRUE,
    position INTEGER NOT NULL, active BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE TABLE actions (
    id INTEGER PRIMARY KEY, practice_id INTEGER NOT NULL, name VARCHAR NOT NULL,
    position INTEGER NOT NULL, active BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE TABLE risk_types (
    id INTEGER PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, description VARCHAR NOT NULL DEFAULT '',
    position INTEGER NOT NULL, active BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE TABLE adoption_stages (
    level INTEGER PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, meaning VARCHAR NOT NULL
);
CREATE TABLE states (
    code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, hhs_region INTEGER NOT NULL,
    census_region VARCHAR NOT NULL, tile_col INTEGER NOT NULL, tile_row INTEGER NOT NULL
);
CREATE SEQUENCE department_ids START 1;
CREATE TABLE departments (
    id INTEGER PRIMARY KEY DEFAULT nextval('department_ids'),
    name VARCHAR NOT NULL UNIQUE,
    jurisdiction_type VARCHAR NOT NULL,
    state_code VARCHAR NOT NULL,
    population INTEGER NOT NULL,
    population_band VARCHAR NOT NULL,
    urban_rural VARCHAR NOT NULL,
    description VARCHAR NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE SEQUENCE user_ids START 1;
CREATE TABLE users (
    id INTEGER PRIMARY KEY DEFAULT nextval('user_ids'),
    email VARCHAR NOT NULL UNIQUE,
    display_name VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    department_id INTEGER,
    password_hash VARCHAR,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    password_changed_at TIMESTAMP
);
CREATE TABLE user_regions (
    user_id INTEGER NOT NULL, hhs_region INTEGER NOT NULL, PRIMARY KEY (user_id, hhs_region)
);
CREATE SEQUENCE lesson_ids START 1;
CREATE TABLE lessons (
    id INTEGER PRIMARY KEY DEFAULT nextval('lesson_ids'),
    client_token VARCHAR UNIQUE,
    title VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    summary VARCHAR NOT NULL DEFAULT '',
    context VARCHAR NOT NULL DEFAULT '',
    what_we_did VARCHAR NOT NULL DEFAULT '',
    what_happened VARCHAR NOT NULL DEFAULT '',
    do_differently VARCHAR NOT NULL DEFAULT '',
    advice VARCHAR NOT NULL DEFAULT '',
    period_start DATE,
    period_end DATE,
    status VARCHAR NOT NULL DEFAULT 'draft',
    visibility VARCHAR NOT NULL DEFAULT 'members',
    anonymous BOOLEAN NOT NULL DEFAULT FALSE,
    hidden BOOLEAN NOT NULL DEFAULT FALSE,
    author_id INTEGER NOT NULL,
    department_id INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP,
    published_at TIMESTAMP,
    revision INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE lesson_practices (lesson_id INTEGER NOT NULL, practice_id INTEGER NOT NULL, PRIMARY KEY (lesson_id, practice_id));
CREATE TABLE lesson_actions (lesson_id INTEGER NOT NULL, action_id INTEGER NOT NULL, PRIMARY KEY (lesson_id, action_id));
CREATE TABLE lesson_risks (lesson_id INTEGER NOT NULL, risk_type_id INTEGER NOT NULL, PRIMARY KEY (lesson_id, risk_type_id));
CREATE TABLE lesson_partners (lesson_id INTEGER NOT NULL, partner VARCHAR NOT NULL, PRIMARY KEY (lesson_id, partner));
CREATE TABLE lesson_links (lesson_id INTEGER NOT NULL, position INTEGER NOT NULL, url VARCHAR NOT NULL, PRIMARY KEY (lesson_id, position));
CREATE SEQUENCE review_ids START 1;
CREATE TABLE lesson_reviews (
    id INTEGER PRIMARY KEY DEFAULT nextval('review_ids'),
    lesson_id INTEGER NOT NULL, reviewer_id INTEGER, decision VARCHAR NOT NULL,
    reason VARCHAR NOT NULL DEFAULT '', decided_at TIMESTAMP NOT NULL
);
CREATE SEQUENCE report_ids START 1;
CREATE TABLE lesson_reports (
    id INTEGER PRIMARY KEY DEFAULT nextval('report_ids'),
    lesson_id INTEGER NOT NULL, reporter_id INTEGER NOT NULL, reporter_department_id INTEGER,
    reason VARCHAR NOT NULL, reported_at TIMESTAMP NOT NULL, resolved_at TIMESTAMP
);
CREATE SEQUENCE assessment_ids START 1;
CREATE TABLE assessments (
    id INTEGER PRIMARY KEY DEFAULT nextval('assessment_ids'),
    department_id INTEGER NOT NULL, practice_id INTEGER NOT NULL, stage INTEGER NOT NULL,
    as_of DATE NOT NULL, note VARCHAR NOT NULL DEFAULT '', evidence_url VARCHAR NOT NULL DEFAULT '',
    recorded_by INTEGER, recorded_at TIMESTAMP NOT NULL
);
CREATE SEQUENCE audit_ids START 1;
CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY DEFAULT nextval('audit_ids'),
    occurred_at TIMESTAMP NOT NULL, actor_id INTEGER, actor_email VARCHAR, event VARCHAR NOT NULL,
    subject_type VARCHAR, subject_id VARCHAR, success BOOLEAN NOT NULL DEFAULT TRUE,
    detail VARCHAR NOT NULL DEFAULT ''
);
CREATE TABLE settings (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE search_index_state (id INTEGER PRIMARY KEY, built_at TIMESTAMP, built_version BIGINT);
