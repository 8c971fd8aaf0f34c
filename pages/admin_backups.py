"""Backups (administrators): take one now and watch it, see the backups kept, and how to restore one."""

import streamlit as st

from exchange import config
from exchange.transfer import backup_jobs
from exchange.ui import auth, core, jobs
from exchange.ui.markup import md

db = core.database()
user = auth.current_user(db)

st.title("Backups")
kept = auth.require_page(lambda: backup_jobs.backups(db, user))
settings = config.settings()
where = backup_jobs.folder(db.path)
st.markdown("A backup is a consistent copy of the whole exchange, taken while people keep working, with a manifest "
            "of every table's rows and checksums. Backups taken here are kept until you delete them.")
if settings.backup_time is None:
    st.markdown("Nightly backups are off (`EXCHANGE_BACKUP_TIME=off`).")
else:
    core.markdown(md("A backup runs every night at {hh:02d}:{mm:02d} UTC. Nightly backups are kept for {days} days, and "
                     "the last of each week for {weeks} weeks.", hh=settings.backup_time[0],
                     mm=settings.backup_time[1], days=settings.backup_keep_daily, weeks=settings.backup_keep_weekly))
core.markdown(md("Backups are written to {where} on the server.", where=str(where)))
core.show_flash()


def _megabytes(n: int) -> str:
    return f"{n / 1_000_000:,.1f} MB"


def _finished_message(job: backup_jobs.Job) -> str:
    figures = job.summary
    return (f"Backup written to {job.path}: {figures['tables']} tables, {figures['rows']:,} rows, "
            f"{_megabytes(figures['bytes'])}, in {figures['seconds']} s.")


jobs.panel(lambda: backup_jobs.status(user), lambda: backup_jobs.start(db, user), button="Back up now",
           icon=":material/backup:", key="backup", doing="Backing up", finished=_finished_message)

st.subheader("Backups kept")
if not kept:
    st.info("No backups yet. Take one with **Back up now**, or wait for the nightly backup.", icon=":material/info:")
else:
    st.dataframe(
        [{"Taken (UTC)": m["created_at"].replace("T", " ")[:19], "Kind": "Nightly" if m["kind"] == "scheduled"
          else "By hand", "Size": _megabytes(m["file"]["bytes"]),
          "Rows": sum(t["rows"] for t in m["tables"].values()), "Schema": (m.get("schema") or {}).get("latest"),
          "Folder": m["path"].name} for m in kept],
        hide_index=True, width="stretch", key="backups_grid")

st.subheader("Restoring a backup")
st.markdown("Restoring never replaces the running database. On the server, run "
            "`python -m exchange restore BACKUP_FOLDER --db NEW_FILE`: it checks the backup against its manifest, "
            "writes a new database file and brings its schema up to date. Then stop the app, point `EXCHANGE_DB` "
            "at the new file (or move it into place) and start the app again. The README's *Operations* section "
            "has the steps, and how to move the exchange to a new machine.")
