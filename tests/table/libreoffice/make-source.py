#!/usr/bin/python3
# tests/table/libreoffice/make-source.py: the workbook LibreOffice is given
# to make numfmt.xlsx (see make.sh). One row per case: its name, then a
# number in a number format. Custom formats get ids from 164; the built-in
# ids (3, 4, 9, 10, 14) are what Excel writes for its standard formats.
#
#   make-source.py OUT.xlsx

import sys
import zipfile
from xml.sax.saxutils import escape

CASES = [
    # name, value, format (a code, or a built-in id)
    ("money", 1234.5, '#,##0.00 "€"'),
    ("money_negative", -1234.5, '#,##0.00 "€"'),
    ("money_small", 0.1, '#,##0.00 "€"'),
    ("money_zero", 0, '#,##0.00 "€"'),
    ("euro_407", 1234.5, '#,##0.00 [$€-407]'),
    ("dollar_409", -1234.5, '[$$-409]#,##0.00;-[$$-409]#,##0.00'),
    ("thousands", 1234567.891, '#,##0'),
    ("builtin_3", 1234567.891, 3),
    ("builtin_4", 1234.5, 4),
    ("decimals", 3.14159, '0.000'),
    ("optional_places", 1.5, '0.0#'),
    ("optional_all", 1, '#.##'),
    ("question_marks", 1.5, '??0.0?'),
    ("leading_zeros", 42, '00000'),
    ("phone", 1234567, '000-0000'),
    ("millions", 1234567, '#,##0.0,, "M"'),
    ("scientific", 12345.678, '0.00E+00'),
    ("scientific_small", 0.000123, '0.00E+00'),
    ("percent", 0.256, '0.0%'),
    ("builtin_9", 0.25, 9),
    ("builtin_10", 0.12345, 10),
    ("sections_positive", 5, '0.00;[Red](0.00);"zero"'),
    ("sections_negative", -5, '0.00;[Red](0.00);"zero"'),
    ("sections_zero", 0, '0.00;[Red](0.00);"zero"'),
    ("text_positive", 5, '"pos";"neg";"nil"'),
    ("text_negative", -5, '"pos";"neg";"nil"'),
    ("text_zero", 0, '"pos";"neg";"nil"'),
    ("condition_big", 150, '[>100]"big";"small"'),
    ("condition_small", 50, '[>100]"big";"small"'),
    ("unit", 7, '0" Stück"'),
    ("escaped", 7, '0\\ \\k\\g'),
    ("round_half", 2.5, '0'),
    ("round_eighth", 0.125, '0.00'),
    ("round_1005", 1.005, '0.00'),
    ("round_to_zero", -0.001, '0.00'),
    ("general", 0.1, 'General'),
    ("general_big", 1234.5, 'General'),
    ("general_negative", -3.5, 'General'),
    ("general_integer", 12, 'General'),
    ("date_german", 45370, 'DD.MM.YYYY'),
    ("date_iso", 45370, 'YYYY-MM-DD'),
    ("date_slashes", 45352, 'MM/DD/YYYY'),
    ("date_long", 45352, 'DDDD, D. MMMM YYYY'),
    ("date_month_abbr", 45352, 'D MMM YYYY'),
    ("date_day_abbr", 45354, 'DDD DD MMM'),
    ("builtin_14", 45352, 14),
    ("month_letter", 45352, 'MMMMM'),
    ("year_short", 45352, 'YY'),
    ("month_german", 45352, '[$-407]D. MMMM YYYY'),
    ("month_english", 45352, '[$-409]MMMM D, YYYY'),
    ("time", 0.6042245370370371, 'HH:MM:SS'),       # 14:30:05
    ("time_short", 0.3784722222222222, 'H:MM'),      # 9:05
    ("time_ampm", 0.6041666666666666, 'H:MM AM/PM'),  # 14:30
    ("time_am", 0.3784722222222222, 'H:MM AM/PM'),    # 9:05
    ("elapsed", 1.5, '[H]:MM:SS'),
    ("minutes_seconds", 0.003576388888888889, 'MM:SS'),  # 00:05:09
    ("hundredths", 0.6042303240740741, 'HH:MM:SS.00'),  # 14:30:05.50
    ("date_time", 45352.604166666664, 'DD.MM.YYYY HH:MM'),
]

CT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Formats" sheetId="1" r:id="rId1"/></sheets></workbook>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""


def main():
    codes = []
    xf_ids = []
    for _, _, fmt in CASES:
        if isinstance(fmt, int):
            xf_ids.append(fmt)
        else:
            if fmt not in codes:
                codes.append(fmt)
            xf_ids.append(164 + codes.index(fmt))
    numfmts = "".join(f'<numFmt numFmtId="{164 + i}" formatCode="{escape(c, {chr(34): "&quot;"})}"/>'
                      for i, c in enumerate(codes))
    xfs = '<xf numFmtId="0"/>' + "".join(f'<xf numFmtId="{i}" applyNumberFormat="1"/>' for i in xf_ids)
    styles = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              f'<numFmts count="{len(codes)}">{numfmts}</numFmts>'
              '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills>'
              '<borders count="1"><border/></borders>'
              f'<cellXfs count="{len(xf_ids) + 1}">{xfs}</cellXfs></styleSheet>')
    rows = ['<row r="1"><c r="A1" t="inlineStr"><is><t>Case</t></is></c>'
            '<c r="B1" t="inlineStr"><is><t>Shown</t></is></c></row>']
    for n, (name, value, _) in enumerate(CASES, 2):
        rows.append(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{name}</t></is></c>'
                    f'<c r="B{n}" s="{n - 1}"><v>{value!r}</v></c></row>')
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<sheetData>{"".join(rows)}</sheetData></worksheet>')
    with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", RELS)
        z.writestr("xl/styles.xml", styles)
        z.writestr("xl/worksheets/sheet1.xml", sheet)


main()
