"""A campaign's results, through the real rig: a sheet with a refused
address and two rows the check leaves out is sent with --skip-invalid;
the export lists every row of the sheet (sent, failed and skipped, each
with why) beside the row's own columns, as plain CSV for programs, as CSV
for a German spreadsheet (BOM, ";") and as an XLSX workbook that openpyxl
reads back with typed cells."""

import csv
import datetime
import io
import os
import shutil
import subprocess
import tempfile

import openpyxl

import netlib
from netlib import cli

WORK = tempfile.mkdtemp(prefix="ep-results-")
SHEET = [
    ["Name", "Email", "Betrag", "Datei"],
    ["Jürgen Müller", "r1@example.test", "12,50", "a.txt"],
    ["Bob Student", "Bob Student <bob@example", "3,00", "a.txt"],   # row 3: no closing ">"
    ["Åsa Öberg", "r3@example.test", "1.234,56", "a.txt"],
    ["Cyd", "r4@example.test", "7,00", "fehlt.txt"],                   # row 5: no such file
    ["Zoë", "=2+3@example.test", "0,99", "a.txt"],                   # formula-looking, valid
]


def merge():
    with open(os.path.join(WORK, "a.txt"), "w") as f:
        f.write("Rechnung\n")
    data = os.path.join(WORK, "rechnungen.csv")
    with open(data, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(SHEET)
    tmpl = os.path.join(WORK, "t.txt")
    with open(tmpl, "w", encoding="utf-8") as f:
        f.write("To: {{ Email }}\nSubject: Rechnung {{ Name }}\nAttachment: {{ Datei }}\n\n"
                "Betrag: {{ Betrag }} EUR\n")
    netlib.add_account("results")
    netlib.set_faults({"rcpt": {"r3@example.test": "550 5.1.1 No such user here"}})
    try:
        status, out, err = cli("merge", "--data", data, "--template", tmpl, "--account", "results",
                               "--rate", "0", "--skip-invalid", "--yes", timeout=120)
    finally:
        netlib.set_faults({})
    assert status == 5, (status, out, err)   # finished, one failed
    assert "3 of 3 sent" not in out and "2 of 3 sent, 1 failed" in out, out
    assert "2 rows of the spreadsheet were skipped" in out, out
    line = next(x for x in out.splitlines() if x.startswith("Campaign "))
    return line.split()[1].rstrip(":")


STATE = {}


def campaign():
    if "id" not in STATE:
        STATE["id"] = merge()
    return STATE["id"]


def check_rows(rows):
    """@rows: the export's records as dicts (strings), in file order."""
    assert [r["row"] for r in rows] == ["2", "3", "4", "5", "6"], rows
    by_row = {r["row"]: r for r in rows}
    assert by_row["2"]["status"] == "sent" and by_row["2"]["times sent"] == "1"
    assert by_row["2"]["server reply"].startswith("250"), by_row["2"]
    assert by_row["3"]["status"] == "skipped" and by_row["3"]["times sent"] == "0"
    assert "bob@example" in by_row["3"]["server reply"], by_row["3"]
    assert by_row["3"]["address"] == "Bob Student <bob@example", by_row["3"]
    assert by_row["4"]["status"] == "failed" and by_row["4"]["times sent"] == "0"
    assert "550 5.1.1 No such user here" in by_row["4"]["server reply"], by_row["4"]
    assert by_row["5"]["status"] == "skipped" and "fehlt.txt" in by_row["5"]["server reply"]
    assert by_row["6"]["status"] == "sent"
    # The row's own columns, as the sheet has them, for every row.
    for r, sheet in zip(rows, SHEET[1:]):
        assert [r["Name"], r["Email"].lstrip("'"), r["Betrag"], r["Datei"]] == sheet, (r, sheet)
    assert by_row["2"]["Message-ID"].startswith("<") and by_row["3"]["Message-ID"] == ""


def export(*args):
    path = os.path.join(WORK, args[0])
    status, out, err = cli("campaign", "export", campaign(), "--output", path, *args[1:])
    assert status == 0, (status, out, err)
    with open(path, "rb") as f:
        return f.read()


def test_csv_for_programs():
    raw = export("ergebnis.csv")
    assert not raw.startswith(b"\xef\xbb\xbf"), raw[:10]
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    check_rows(rows)
    # A cell a spreadsheet would run as a formula is neutralised.
    assert rows[4]["address"] == "'=2+3@example.test", rows[4]


def german_locale():
    return netlib.german_locale_env(WORK)


def test_csv_for_a_german_spreadsheet():
    path = os.path.join(WORK, "ergebnis-de.csv")
    proc = subprocess.run([netlib.CLI, "campaign", "export", campaign(), "--output", path,
                           "--format", "csv-locale"], env=german_locale(), capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc
    with open(path, "rb") as f:
        raw = f.read()
    # Excel reads UTF-8 only with the BOM, and splits on ";" where decimals
    # have a comma: "12,50" stays one cell.
    assert raw.startswith(b"\xef\xbb\xbf"), raw[:10]
    text = raw[3:].decode("utf-8")
    assert text.splitlines()[0].startswith('"row";"address";"status";'), text.splitlines()[0]
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    check_rows(rows)
    assert "Jürgen Müller" in text and "Åsa Öberg" in text

    # In the C locale the same format is comma-separated, still with a BOM.
    c_env = dict(os.environ, LC_ALL="C.UTF-8")
    proc = subprocess.run([netlib.CLI, "campaign", "export", campaign(), "--output", path,
                           "--format", "csv-locale"], env=c_env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc
    with open(path, "rb") as f:
        raw = f.read()
    assert raw.startswith(b"\xef\xbb\xbf"), raw[:10]
    assert raw[3:].split(b"\r\n")[0].startswith(b'"row","address","status",'), raw[:40]


def test_xlsx_workbook():
    export("ergebnis.xlsx")
    wb = openpyxl.load_workbook(os.path.join(WORK, "ergebnis.xlsx"))
    ws = wb.active
    values = list(ws.iter_rows(values_only=True))
    header = list(values[0])
    assert header[:7] == ["row", "address", "status", "times sent", "server reply", "time", "Message-ID"], header
    assert header[7:] == SHEET[0], header
    rows = []
    for v in values[1:]:
        r = dict(zip(header, v))
        # Typed cells: numbers are numbers, the time a date.
        assert isinstance(r["row"], int) and isinstance(r["times sent"], int), r
        if r["status"] in ("sent", "failed"):
            assert isinstance(r["time"], datetime.datetime), r
        rows.append({k: "" if x is None else str(x) for k, x in r.items()})
    check_rows(rows)
    # In a workbook a string stays a string: no apostrophe needed.
    assert rows[4]["address"] == "=2+3@example.test", rows[4]
    assert ws.cell(row=6, column=2).data_type == "s"
    assert ws.freeze_panes == "A2"


def test_show_counts_the_skipped():
    status, out, err = cli("campaign", "show", campaign())
    assert status == 0, (status, out, err)
    assert "Recipients: 3 — 2 sent, 1 failed" in out, out
    assert "Skipped rows (not sent, with a problem): 2" in out, out


def deliveries():
    """Address → how many messages with a "Rechnung" subject reached it."""
    out = {}
    for path in netlib.maildir_files():
        msg = netlib.read_message(path)
        if str(msg.get("Subject", "")).startswith("Rechnung"):
            out[str(msg["To"])] = out.get(str(msg["To"]), 0) + 1
    return out


def test_retry_failed_sends_only_that_row_once():
    cid = campaign()
    # The person fixes the refused address in the spreadsheet, then retries.
    data = os.path.join(WORK, "rechnungen.csv")
    fixed = [list(r) for r in SHEET]
    fixed[3][1] = "r3.neu@example.test"
    with open(data, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(fixed)
    status, out, err = cli("merge", "--data", data, "--template", os.path.join(WORK, "t.txt"),
                           "--account", "results", "--rate", "0", "--retry-failed", cid, "--yes",
                           timeout=120)
    assert status == 0, (status, out, err)
    assert f"Rows that failed in campaign {cid}: 4" in out, out
    assert "1 of 1 sent, 0 failed" in out, out
    got = deliveries()
    assert got == {"r1@example.test": 1, "r3.neu@example.test": 1, "=2+3@example.test": 1}, got

    # Nothing failed in the retry: retrying it again says so, sends nothing.
    retry = next(x for x in out.splitlines() if x.startswith("Campaign ")).split()[1].rstrip(":")
    status, out, err = cli("merge", "--data", data, "--template", os.path.join(WORK, "t.txt"),
                           "--account", "results", "--retry-failed", retry, "--yes")
    assert status != 0 and "has no row that failed or bounced" in err, (status, out, err)
    assert deliveries() == got


def test_unknown_format_is_refused():
    status, out, err = cli("campaign", "export", campaign(), "--output", os.path.join(WORK, "x.ods"),
                           "--format", "ods")
    assert status == 2 and "csv, csv-locale or xlsx" in err, (status, out, err)
    assert not os.path.exists(os.path.join(WORK, "x.ods"))


if __name__ == "__main__":
    try:
        netlib.run([test_csv_for_programs, test_csv_for_a_german_spreadsheet, test_xlsx_workbook,
                    test_show_counts_the_skipped, test_unknown_format_is_refused,
                    test_retry_failed_sends_only_that_row_once])
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
