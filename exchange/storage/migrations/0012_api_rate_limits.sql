-- Issue 12: the API's rate limit, shared by every app process (replicas, issue 13): requests counted
-- per caller per whole minute (UTC). Rows older than two minutes are deleted as requests come.
CREATE TABLE api_rate_limits (
    caller VARCHAR NOT NULL,
    minute TIMESTAMP NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (caller, minute)
);
