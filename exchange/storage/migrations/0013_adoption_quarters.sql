-- The dashboard's quarterly table (issue 14.1): the stage every (department, practice) pair held at
-- the end of each calendar quarter, from the quarter of its first assessment to the table's horizon
-- (the latest quarter asked for). quarter = year * 4 + (calendar quarter - 1). Derived data, kept
-- current from the change log by exchange/adoption/quarterly.py (its position is the change_consumers
-- row 'adoption.quarters'); it can always be rebuilt from assessments.
CREATE TABLE adoption_quarters (
    department_id INTEGER NOT NULL,
    practice_id INTEGER NOT NULL,
    quarter INTEGER NOT NULL,
    stage INTEGER NOT NULL
);
