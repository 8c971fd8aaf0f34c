"""Who someone is and what they may do: accounts, sign-in, sessions, passwords, the permission table, the audit log."""
