"""The longest text each service accepts, in one place, so pages can set `max_chars` to the same number.

Services check these before any parsing (a long value never reaches a regex or a hash);
a page's `max_chars` only stops typing early, it is never the check.
"""

EMAIL = 254            # RFC 5321 path limit
PASSWORD = 256
DISPLAY_NAME = 100
ACCOUNT_SEARCH = 254   # the admin's "search email or name" box
TAXONOMY_NAME = 120
TAXONOMY_DESCRIPTION = 1000
REASON = 1000          # review decisions and reports (moderation.MAX_REASON_CHARS)
NOTE = 1000            # self-assessment note (adoption.NOTE_LIMIT)
URL = 2000             # self-assessment evidence link (adoption.URL_LIMIT)
SEARCH_QUERY = 200     # search box (search.MAX_QUERY_CHARS)
AUDIT_FILTER = 254     # audit log actor / subject filters
# Lesson fields: exchange.lessons.form.LIMITS (title 120, summary 300, sections 4,000),
# MAX_PARTNER_CHARS (40) and MAX_LINK_CHARS (500).
