#!/usr/bin/python3
# tests/bench/table-read.py: the reading anchors for merge-bench.sh.
#
#   table-read.py xlsx FILE.xlsx    openpyxl load_workbook(read_only=True), every cell
#   table-read.py csv  FILE.csv     Python's csv module, every row
#
# Both write every row back out with csv.writer on stdout (the benchmark
# sends it to /dev/null), because `epistle-cli table FILE --format csv`,
# which they are compared with, does the same work: read everything, write
# it as CSV. Prints nothing else; the row count goes to stderr.

import csv
import sys


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("xlsx", "csv"):
        sys.exit("usage: table-read.py xlsx|csv FILE")
    out = csv.writer(sys.stdout)
    n = 0
    if sys.argv[1] == "xlsx":
        import openpyxl
        wb = openpyxl.load_workbook(sys.argv[2], read_only=True, data_only=True)
        ws = wb.worksheets[0]
        for row in ws.iter_rows(values_only=True):
            out.writerow(["" if v is None else v for v in row])
            n += 1
        wb.close()
    else:
        with open(sys.argv[2], newline="", encoding="utf-8") as f:
            for row in csv.reader(f):
                out.writerow(row)
                n += 1
    print(n, file=sys.stderr)


if __name__ == "__main__":
    main()
