"""Import (administrators): lessons from CSV or JSON, departments from CSV — checked in full, then confirmed."""

import hashlib

import streamlit as st

from exchange.transfer import imports
from exchange.ui import auth, core
from exchange.ui.markup import md

db = core.database()
user = auth.current_user(db)

st.title("Import")
auth.require_page(lambda: imports.require(user))
core.show_flash()
st.markdown("Bring in an existing collection of lessons, or a directory of departments. The file is checked in full "
            "first: you see every problem by row and column, or exactly what would be created and updated, and "
            "nothing is stored until you confirm. The import is then one step — every row or none — and is audited. "
            "Each row's `external_id` is yours to choose and keep: importing the same file again updates those "
            "records instead of adding copies.")

KINDS = {"lessons": "Lessons (CSV or JSON)", "departments": "Departments (CSV)"}
kind = st.radio("What to import", list(KINDS), format_func=KINDS.get, horizontal=True, key="import_kind")
formats = ["csv", "json"] if kind == "lessons" else ["csv"]

with st.expander("The template: columns and how to write them", icon=":material/description:"):
    st.dataframe([{"Column": c, "What to write": imports.COLUMN_NOTES.get(c, "text")} for c in imports.COLUMNS[kind]],
                 hide_index=True, width="stretch", key=f"import_columns_{kind}")
    st.markdown("The first line must be exactly these column names, in this order. Save as UTF-8 (in Excel: "
                "*CSV UTF-8*). Lesson rows follow the rules of the *Share a lesson* form.")
    with st.container(horizontal=True):
        for fmt in formats:
            st.download_button(f"Download the {fmt.upper()} template", data=imports.template(kind, fmt),
                               file_name=f"equity-exchange-{kind}-template.{fmt}",
                               mime="text/csv" if fmt == "csv" else "application/json", icon=":material/download:",
                               key=f"import_template_{kind}_{fmt}")

limit_mb = imports.MAX_UPLOAD_BYTES // (1024 * 1024)
uploaded = st.file_uploader(f"File to import (up to {limit_mb} MB; larger files: `python -m exchange import`)",
                            type=formats, key=f"import_file_{kind}")
if uploaded is not None:
    st.session_state["import_upload"] = (kind, uploaded.name, uploaded.getvalue())
    st.session_state["import_from_widget"] = True
elif st.session_state.pop("import_from_widget", False):
    st.session_state.pop("import_upload", None)  # the file was taken out of the uploader
upload = st.session_state.get("import_upload")
if upload is None or upload[0] != kind:
    st.info("Choose a file to check it. Nothing is stored until you confirm.", icon=":material/upload_file:")
    st.stop()

_, name, data = upload
fmt = name.rsplit(".", 1)[-1].lower() if "." in name else ""
if fmt not in formats:
    core.error(md("{name} is not a {kinds} file: choose a file ending in {endings}.", name=name,
                  kinds=" or ".join(f.upper() for f in formats), endings=" or ".join(f".{f}" for f in formats)),
               icon=":material/error:")
    st.stop()
if len(data) > imports.MAX_UPLOAD_BYTES:
    core.error(md("{name} is {size:,} bytes; the limit here is {limit} MB. Split it, or import it with "
                  "`python -m exchange import`.", name=name, size=len(data), limit=limit_mb), icon=":material/error:")
    st.stop()
digest = hashlib.sha256(bytes(data) + kind.encode()).hexdigest()


def progress_bar():
    bar = st.progress(0.0, text="Starting…")
    return lambda fraction, message: bar.progress(min(max(fraction, 0.0), 1.0), text=message)


checked = st.session_state.get("import_plan")
if checked is None or checked[0] != digest:
    result = core.outcome(lambda: imports.plan(db, user, kind, name, data, fmt, progress=progress_bar()))
    if not result.ok:
        st.stop()
    checked = (digest, result.value)
    st.session_state["import_plan"] = checked
plan = checked[1]

if not plan.ok:
    core.error(md("**{summary}** Fix these in the file and choose it again:", summary=plan.summary()),
               icon=":material/error:")
    st.dataframe([{"Row": p.row or "—", "Column": p.field, "Problem": p.message} for p in plan.problems],
                 hide_index=True, width="stretch", key=f"import_problems_{digest[:12]}")
    st.stop()

core.success(md("**{file}** is ready. {summary}", file=name, summary=plan.summary()), icon=":material/check:")
labels = {"create": "new", "update": "updated", "unchanged": "unchanged"}
st.dataframe([{"Row": a["row"], "External id": a["external_id"], "Name": a["name"], "Will be": labels[a["action"]]}
              for a in plan.actions], hide_index=True, width="stretch", key=f"import_actions_{digest[:12]}")
to_write = plan.count("create") + plan.count("update")
if not to_write:
    st.info("Everything in this file is already in the exchange, unchanged: there is nothing to import.",
            icon=":material/info:")
    st.stop()
if st.button(f"Import {to_write:,} {kind}", type="primary", icon=":material/upload:", key="import_confirm"):
    done = core.outcome(lambda: imports.run(db, user, kind, name, data, fmt, progress=progress_bar(), via="the Import page"))
    st.session_state.pop("import_plan", None)
    if done.ok:
        st.session_state.pop("import_upload", None)
        core.flash(done.value.summary(), icon=":material/check:")
        st.rerun()
