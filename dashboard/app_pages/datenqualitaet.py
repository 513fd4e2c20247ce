"""Datenqualität: runs, files (loaded, duplicate, rejected with reasons), quarantine, checks, freshness."""

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.components import download, table
from dashboard.i18n import label, t

st.title(t("page_quality"))

st.subheader(t("runs"))
runs = data.runs()
runs["status"] = runs["status"].map(label)
table(runs)

st.subheader(t("files"))
files = data.files_by_status()
files["status"] = files["status"].map(label)
table(files)
problems = data.problem_files()
if not problems.empty:
    problems["status"] = problems["status"].map(label)
    table(problems)
    download(problems, "problem_files")

st.subheader(t("quarantine"))
quarantine = data.quarantine_summary()
table(quarantine)
download(quarantine, "quarantine")
st.markdown(f"**{t('quarantine_rows')}**")
rows = data.recent_quarantine()
table(rows)
download(rows, "quarantined_rows")

st.subheader(t("checks"))
checks = data.check_results()
failed = checks[~checks["passed"]]
cols = st.columns(3)
cols[0].metric("✔", int(checks["passed"].sum()), border=True)
cols[1].metric("⚠", int(((~checks["passed"]) & (checks["severity"] == "warning")).sum()), border=True)
cols[2].metric("✖", int(((~checks["passed"]) & (checks["severity"] == "error")).sum()), border=True)
table(pd.concat([failed, checks[checks["passed"]]]))

st.subheader(t("freshness"))
fresh = data.freshness()
fresh["days_old"] = (pd.Timestamp.today().normalize() - pd.to_datetime(fresh["latest_export"])).dt.days
table(fresh)
