-- Issue 11 parts 3 and 4: questions to a lesson's posting department, their answers, reports and reviews
-- of both, and endorsements ("This helped us" / "We adapted this"). Every table is department-authored
-- content read through anonymity.content_facts: department_id, anonymous and author_id name who wrote it.
CREATE SEQUENCE question_ids START 1;
-- department_id: the asking department. anonymous: the asker chose not to be named (to anyone outside
-- their own department, the posting department included). private: only the two departments see it.
-- answered_at: the asker marked it answered. nudged_at: the one 14-day reminder to the posting department.
CREATE TABLE questions (
    id INTEGER PRIMARY KEY DEFAULT nextval('question_ids'),
    client_token VARCHAR UNIQUE,
    lesson_id INTEGER NOT NULL,
    department_id INTEGER NOT NULL,
    author_id INTEGER NOT NULL,
    anonymous BOOLEAN NOT NULL DEFAULT FALSE,
    private BOOLEAN NOT NULL DEFAULT FALSE,
    body VARCHAR NOT NULL,
    hidden BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    answered_at TIMESTAMP,
    nudged_at TIMESTAMP,
    revision INTEGER NOT NULL DEFAULT 1
);
CREATE SEQUENCE answer_ids START 1;
-- department_id: the lesson's posting department (the only one that answers); whether an answer is
-- anonymous is read from its lesson at read time, so a lesson made anonymous later hides its answers too.
CREATE TABLE answers (
    id INTEGER PRIMARY KEY DEFAULT nextval('answer_ids'),
    client_token VARCHAR UNIQUE,
    question_id INTEGER NOT NULL,
    lesson_id INTEGER NOT NULL,
    department_id INTEGER NOT NULL,
    author_id INTEGER NOT NULL,
    body VARCHAR NOT NULL,
    hidden BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1
);
-- Reports of a question or an answer (item_kind 'question' | 'answer'), like lesson_reports.
CREATE SEQUENCE conversation_report_ids START 1;
CREATE TABLE conversation_reports (
    id INTEGER PRIMARY KEY DEFAULT nextval('conversation_report_ids'),
    item_kind VARCHAR NOT NULL,
    item_id INTEGER NOT NULL,
    reporter_id INTEGER NOT NULL,
    reporter_department_id INTEGER,
    reason VARCHAR NOT NULL,
    reported_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    resolved_by INTEGER,
    outcome VARCHAR
);
CREATE SEQUENCE conversation_review_ids START 1;
CREATE TABLE conversation_reviews (
    id INTEGER PRIMARY KEY DEFAULT nextval('conversation_review_ids'),
    item_kind VARCHAR NOT NULL,
    item_id INTEGER NOT NULL,
    reviewer_id INTEGER,
    decision VARCHAR NOT NULL,
    reason VARCHAR NOT NULL DEFAULT '',
    decided_at TIMESTAMP NOT NULL
);
-- One endorsement per department per lesson (the key makes two at once from one department one row).
-- Withdrawing keeps the row (withdrawn_at); endorsing again reuses it. kind: 'helped' | 'adapted'.
-- adapted_lesson_id: the department's own lesson started from the note, linked both ways.
CREATE SEQUENCE endorsement_ids START 1;
CREATE TABLE endorsements (
    id INTEGER PRIMARY KEY DEFAULT nextval('endorsement_ids'),
    lesson_id INTEGER NOT NULL,
    department_id INTEGER NOT NULL,
    author_id INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    note VARCHAR NOT NULL DEFAULT '',
    anonymous BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP,
    adapted_lesson_id INTEGER,
    UNIQUE (lesson_id, department_id)
)
