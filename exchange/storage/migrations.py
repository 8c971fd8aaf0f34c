"""Numbered schema migrations, recorded in the database and each run in a transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from exchange.storage.duckdb import Database

# (name, SQL). Append only: never edit a migration that has shipped.
MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_taxonomy_departments_lessons",
        """
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
        """,
    ),
    (
        "0002_sessions",
        """
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
        """,
    ),
    (
        # Failed sign-in counters per account and per client, for back-off instead of a hard lock.
        "0003_sign_in_throttle",
        """
        CREATE TABLE sign_in_throttle (
            key VARCHAR PRIMARY KEY, failures INTEGER NOT NULL, last_failure TIMESTAMP NOT NULL
        );
        """,
    ),
    (
        # Place names a department's jurisdiction is known by (neighbourhoods, towns, the county seat),
        # one per line: the identifying-text check (exchange/privacy/identifying.py) flags them in anonymous lessons.
        "0005_department_place_names",
        """
        ALTER TABLE departments ADD COLUMN place_names VARCHAR DEFAULT '';
        """,
    ),
    (
        "0004_serial_counters_report_outcomes",
        """
        CREATE TABLE serial_counters (
            scope VARCHAR NOT NULL, subject_id BIGINT NOT NULL, hits BIGINT NOT NULL DEFAULT 0,
            touched_at TIMESTAMP NOT NULL, PRIMARY KEY (scope, subject_id)
        );
        ALTER TABLE lesson_reports ADD COLUMN outcome VARCHAR;
        ALTER TABLE lesson_reports ADD COLUMN resolved_by INTEGER;
        ALTER TABLE lessons ADD COLUMN updated_by INTEGER;
        """,
    ),
]


def applied(db: "Database") -> set[str]:
    """Names of the migrations recorded in this database."""
    with db.read() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL)"
        )
        return {r[0] for r in cur.execute("SELECT name FROM schema_migrations").fetchall()}


def migrate(db: "Database") -> list[str]:
    """Apply every migration not yet recorded, each in its own transaction; return their names."""
    done = applied(db)
    ran = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue

        def apply(cur, sql=sql, name=name):
            for statement in _statements(sql):
                cur.execute(statement)
            cur.execute("INSERT INTO schema_migrations VALUES (?, current_timestamp)", [name])

        db.write(apply)
        ran.append(name)
    return ran


def _statements(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";") if s.strip()]
