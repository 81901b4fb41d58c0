#!/bin/sh
# tests/table/libreoffice/make.sh: remakes numfmt.xlsx and what LibreOffice
# displays for it, numfmt.de_DE.csv and numfmt.en_US.csv. Run by hand, once,
# on a machine with LibreOffice Calc (Debian: libreoffice-calc-nogui) and
# the de_DE.UTF-8 and en_US.UTF-8 locales; not part of the test suite,
# which compares Epistle's reading of numfmt.xlsx with the committed CSVs.
#
# numfmt.xlsx is written by LibreOffice itself (it opens the workbook from
# make-source.py and saves it again as Excel 2007-365), so its number
# formats are as LibreOffice writes them. Each CSV is LibreOffice's export
# of the cells "as shown" (filter option 9) in that locale, UTF-8 (76),
# text quoted (option 7, so that a cell's own spaces stay).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 "$here/make-source.py" "$work/source.xlsx"
LC_ALL=en_US.UTF-8 LANG=en_US.UTF-8 soffice --headless \
  -env:UserInstallation="file://$work/profile" \
  --convert-to 'xlsx:Calc MS Excel 2007 XML' --outdir "$work/lo" "$work/source.xlsx"
cp "$work/lo/source.xlsx" "$here/numfmt.xlsx"
for locale in de_DE en_US; do
  LC_ALL=$locale.UTF-8 LANG=$locale.UTF-8 soffice --headless \
    -env:UserInstallation="file://$work/profile-$locale" \
    --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true,true' \
    --outdir "$work/$locale" "$here/numfmt.xlsx"
  cp "$work/$locale/numfmt.csv" "$here/numfmt.$locale.csv"
done
