"""Export (administrators): the whole dataset as a zip of Parquet and CSV files with a data dictionary."""

import streamlit as st

from exchange.transfer import dataset_jobs
from exchange.ui import auth, core, jobs
from exchange.ui.markup import md

db = core.database()
user = auth.current_user(db)

st.title("Export the whole dataset")
auth.require_page(lambda: dataset_jobs.status(user))
st.markdown("One zip file with every table of the exchange as Parquet (for analysis tools) and as CSV (for "
            "spreadsheets), and a data dictionary (`README.md` and `dictionary.json`) describing every table and "
            "column. All tables are read at one moment, while people keep working. Every export is recorded in "
            "the audit log.")
st.warning("**This file is confidential.** It names the department of every anonymous lesson and holds every "
           "member's e-mail address. Keep it where only administrators can read it, and never publish it: for "
           "public use, share the open-data export of public lessons instead (`/api/v1/open-data/lessons.csv`).",
           icon=":material/warning:")
st.markdown("Left out or blanked, so the file cannot be used to sign in or to bypass limits: password and API-token "
            "hashes (blanked), sign-in sessions, sign-in and API throttles, internal plumbing (the change log, the "
            "search index), and the key of public lesson references. The dictionary lists each with its reason. "
            "On the server, `python -m exchange export-dataset --to FILE` writes the same file.")

job = jobs.panel(lambda: dataset_jobs.status(user), lambda: dataset_jobs.start(db, user), button="Export now",
                 icon=":material/archive:", key="export", doing="Exporting")

if job is not None and not job.running and job.path is not None:
    figures = job.summary
    core.success(md("Export ready: {tables} tables, {rows:,} rows, {mb:,.1f} MB (asked by {who} at {when} UTC, "
                    "{seconds} s).", tables=figures["tables"], rows=figures["rows"], mb=figures["bytes"] / 1_000_000,
                    who=job.requested_by, when=f"{job.started_at:%Y-%m-%d %H:%M}", seconds=figures["seconds"]),
                 icon=":material/check:")
    st.download_button("Download the zip", data=lambda: dataset_jobs.open_zip(user, job.id), file_name=job.path.name,
                       mime="application/zip", icon=":material/download:", type="primary", on_click="ignore",
                       key=f"export_download_{job.id}")
    st.markdown("The file stays on the server (beside the backups) until the next export replaces it or the app stops.")
elif job is None:
    st.info("No export yet in this app. **Export now** writes one; it takes a minute or so at national scale.",
            icon=":material/info:")
