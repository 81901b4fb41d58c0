#!/usr/bin/python3
# tests/bench/make-data.py: deterministic benchmark data for merge-bench.sh.
#
#   make-data.py csv  ROWS OUT.csv     10 columns, UTF-8, header row, RFC 4180 quoting
#   make-data.py xlsx ROWS OUT.xlsx    the same rows as one sheet "Data"
#
# Rows are the same for the same ROWS (fixed seed), so the CSV and the XLSX
# of one size hold the same table. Mixed types: integers, decimals, dates,
# plain and accented strings, some empty cells, some commas and quotes.
# The XLSX uses a shared-string table, as Excel and LibreOffice write it
# (XlsxWriter's normal mode; its constant_memory mode would write inline
# strings, which real spreadsheets rarely contain).

import csv
import datetime
import random
import sys

HEADER = ["Id", "Email", "Name", "City", "Plan", "Score", "Joined",
          "Balance", "Visits", "Note"]

FIRST = ["Anna", "Bruno", "Chloé", "Dmitri", "Eva", "Farid", "Grace", "Hugo",
         "Inès", "Jonas", "Kemal", "Lena", "Mateo", "Noor", "Olga", "Pablo",
         "Quentin", "Rosa", "Søren", "Tomasz", "Uma", "Viktor", "Wen", "Yara",
         "Zoë"]
LAST = ["Andersen", "Bianchi", "Costa", "Dubois", "Eriksson", "Fischer",
        "García", "Hansen", "Ivanova", "Jansen", "Kowalski", "Lefèvre",
        "Müller", "Nowak", "O'Brien", "Petrov", "Quinn", "Rossi", "Schmidt",
        "Tanaka", "Urban", "Vargas", "Weber", "Young", "Zieliński"]
CITIES = ["Lisbon", "Kraków", "Zürich", "Lyon", "Göteborg", "Porto", "Gent",
          "Bologna", "Tallinn", "Brno", "Cork", "Málaga", "Turku", "Graz"]
PLANS = ["Free", "Basic", "Plus", "Pro", "Team"]
NOTES = ["", "", "", "renewal due", "asked about invoices, twice",
         "prefers \"paper\" statements", "VIP", "moved from the old plan",
         "call before 10:00", "Übergang geplant"]


def rows(n):
    rng = random.Random(20240601)
    base = datetime.date(2015, 1, 1)
    for i in range(1, n + 1):
        first = FIRST[rng.randrange(len(FIRST))]
        last = LAST[rng.randrange(len(LAST))]
        yield [
            i,
            "user%d@example.org" % i,
            "%s %s" % (first, last),
            CITIES[rng.randrange(len(CITIES))],
            PLANS[rng.randrange(len(PLANS))],
            round(rng.uniform(0, 100), 1),
            base + datetime.timedelta(days=rng.randrange(3650)),
            round(rng.uniform(-500, 25000), 2),
            rng.randrange(0, 1000),
            NOTES[rng.randrange(len(NOTES))],
        ]


def write_csv(n, path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for r in rows(n):
            r[6] = r[6].isoformat()
            w.writerow(r)


def write_xlsx(n, path):
    import xlsxwriter
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Data")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    money_fmt = wb.add_format({"num_format": "#,##0.00"})
    ws.write_row(0, 0, HEADER)
    for y, r in enumerate(rows(n), start=1):
        ws.write_number(y, 0, r[0])
        ws.write_string(y, 1, r[1])
        ws.write_string(y, 2, r[2])
        ws.write_string(y, 3, r[3])
        ws.write_string(y, 4, r[4])
        ws.write_number(y, 5, r[5])
        ws.write_datetime(y, 6, datetime.datetime.combine(r[6], datetime.time()), date_fmt)
        ws.write_number(y, 7, r[7], money_fmt)
        ws.write_number(y, 8, r[8])
        if r[9]:
            ws.write_string(y, 9, r[9])
    wb.close()


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("csv", "xlsx"):
        sys.exit("usage: make-data.py csv|xlsx ROWS OUT")
    n = int(sys.argv[2])
    (write_csv if sys.argv[1] == "csv" else write_xlsx)(n, sys.argv[3])


if __name__ == "__main__":
    main()
