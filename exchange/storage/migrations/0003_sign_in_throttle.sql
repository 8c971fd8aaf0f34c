-- Failed sign-in counters per account and per client, for back-off instead of a hard lock.
CREATE TABLE sign_in_throttle (
    key VARCHAR PRIMARY KEY, failures INTEGER NOT NULL, last_failure TIMESTAMP NOT NULL
);
