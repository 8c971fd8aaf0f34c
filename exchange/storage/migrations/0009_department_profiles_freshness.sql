-- Issue 11 parts 1, 2 and 6: department profiles (what peers see and how to reach a department) and lesson freshness.
-- One profile row per department (none yet: the defaults below). A table of its own rather than more columns on
-- departments: DuckDB 1.5.5 fails to commit a transaction that adds seven columns to a filled table.
-- state_governance: the state health agency's relation to local health units (centralized, decentralized,
-- mixed, shared); '' means "as the state_governance table says for its state".
-- accreditation: accredited, in_process, not_accredited, not_stated.
-- contact_visibility: nobody, members (the named contact is shown to signed-in members), public (to anyone).
-- share_stages: whether peers may see the department's self-assessed stages by name (otherwise they count
-- only in suppressed aggregates). revision: optimistic concurrency for profile edits.
CREATE TABLE department_profiles (
    department_id INTEGER PRIMARY KEY,
    state_governance VARCHAR NOT NULL DEFAULT '',
    accreditation VARCHAR NOT NULL DEFAULT 'not_stated',
    contact_visibility VARCHAR NOT NULL DEFAULT 'nobody',
    contact_name VARCHAR NOT NULL DEFAULT '',
    contact_email VARCHAR NOT NULL DEFAULT '',
    share_stages BOOLEAN NOT NULL DEFAULT FALSE,
    revision INTEGER NOT NULL DEFAULT 1,
    updated_at TIMESTAMP,
    updated_by INTEGER
);
-- Each state's structure, after ASTHO's State Public Health Agency Classification (2011/2012), with "largely
-- centralized" etc. folded into its kind; territories and freely associated states run one island-wide agency.
-- A department's own state_governance ('' = as its state) overrides it.
CREATE TABLE state_governance (state_code VARCHAR PRIMARY KEY, governance VARCHAR NOT NULL);
INSERT INTO state_governance VALUES
    ('AR', 'centralized'), ('DE', 'centralized'), ('DC', 'centralized'), ('HI', 'centralized'), ('MS', 'centralized'), ('NM', 'centralized'),
    ('RI', 'centralized'), ('SC', 'centralized'), ('VT', 'centralized'), ('AL', 'centralized'), ('LA', 'centralized'), ('NH', 'centralized'),
    ('SD', 'centralized'), ('VA', 'centralized'), ('PR', 'centralized'), ('VI', 'centralized'), ('GU', 'centralized'), ('AS', 'centralized'),
    ('MP', 'centralized'), ('FM', 'centralized'), ('MH', 'centralized'), ('PW', 'centralized'),
    ('FL', 'shared'), ('GA', 'shared'), ('KY', 'shared'), ('MD', 'shared'), ('WY', 'shared'),
    ('AK', 'mixed'), ('ME', 'mixed'), ('OK', 'mixed'), ('PA', 'mixed'), ('TN', 'mixed'),
    ('AZ', 'decentralized'), ('CA', 'decentralized'), ('CO', 'decentralized'), ('CT', 'decentralized'), ('ID', 'decentralized'), ('IL', 'decentralized'),
    ('IN', 'decentralized'), ('IA', 'decentralized'), ('KS', 'decentralized'), ('MA', 'decentralized'), ('MI', 'decentralized'), ('MN', 'decentralized'),
    ('MO', 'decentralized'), ('MT', 'decentralized'), ('NE', 'decentralized'), ('NJ', 'decentralized'), ('NY', 'decentralized'), ('NC', 'decentralized'),
    ('ND', 'decentralized'), ('OH', 'decentralized'), ('OR', 'decentralized'), ('UT', 'decentralized'), ('WA', 'decentralized'), ('WV', 'decentralized'),
    ('WI', 'decentralized'), ('NV', 'decentralized'), ('TX', 'decentralized');
-- Freshness: when the posting department last said the lesson is still current, whether it marked the lesson
-- historical (NULL reads as not), and when it was last asked (the yearly question is asked once per due period).
-- No DEFAULTs: with one, DuckDB 1.5.5 fails to commit the ALTERs on a national-scale lessons table.
ALTER TABLE lessons ADD COLUMN last_confirmed_at TIMESTAMP;
ALTER TABLE lessons ADD COLUMN historical BOOLEAN;
ALTER TABLE lessons ADD COLUMN confirmation_asked_at TIMESTAMP;
