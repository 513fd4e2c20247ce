"""Datenqualität: runs, files (loaded, duplicate, rejected with reasons), quarantine, checks, freshness."""

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.components import download
from dashboard.i18n import label, t

st.title(t("page_quality"))

st.subheader(t("runs"))
runs = data.runs()
runs["status"] = runs["status"].map(label)
st.dataframe(runs, hide_index=True, width="stretch")

st.subheader(t("files"))
files = data.files_by_status()
files["status"] = files["status"].map(label)
st.dataframe(files, hide_index=True, width="stretch")
problems = data.problem_files()
if not problems.empty:
    problems["status"] = problems["status"].map(label)
    st.dataframe(problems, hide_index=True, width="stretch")
    download(problems, "problem_files")

st.subheader(t("quarantine"))
quarantine = data.quarantine_summary()
st.dataframe(quarantine, hide_index=True, width="stretch")
download(quarantine, "quarantine")
st.markdown(f"**{t('quarantine_rows')}**")
rows = data.recent_quarantine()
st.dataframe(rows, hide_index=True, width="stretch")
download(rows, "quarantined_rows")

st.subheader(t("checks"))
checks = data.check_results()
failed = checks[~checks["passed"]]
cols = st.columns(3)
cols[0].metric("✔", int(checks["passed"].sum()), border=True)
cols[1].metric("⚠", int(((~checks["passed"]) & (checks["severity"] == "warning")).sum()), border=True)
cols[2].metric("✖", int(((~checks["passed"]) & (checks["severity"] == "error")).sum()), border=True)
st.dataframe(pd.concat([failed, checks[checks["passed"]]]), hide_index=True, width="stretch")

st.subheader(t("freshness"))
fresh = data.freshness()
fresh["days_old"] = (pd.Timestamp.today().normalize() - pd.to_datetime(fresh["latest_export"])).dt.days
fresh = fresh.rename(columns={"days_old": t("days_old")})
st.dataframe(fresh, hide_index=True, width="stretch")
