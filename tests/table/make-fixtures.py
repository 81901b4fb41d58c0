#!/usr/bin/python3
# tests/table/make-fixtures.py: spreadsheets for test-table, written by the
# real writers (XlsxWriter, openpyxl, odfpy) or, where a writer cannot make
# a case (inline strings, phonetic runs, encryption, damage, zip bombs),
# crafted with zipfile (so are LibreOffice's boolean cells, written as it
# writes them).
#
#   make-fixtures.py DIR

import datetime
import os
import sys
import zipfile


def csv_fixtures(d):
    def write(name, data):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)

    write("utf8-bom.csv", b"\xef\xbb\xbfName,Email\r\nZo\xc3\xab,zoe@example.org\r\n")
    # Excel "Unicode Text": UTF-16LE with a BOM, TAB-separated, CRLF.
    write("unicode-text.txt",
          b"\xff\xfe" + "Name\tCity\r\nRenée\tZürich\r\n漢字\t東京\r\n".encode("utf-16-le"))
    write("utf16be.csv", b"\xfe\xff" + "Name,City\nÅsa,Malmö\n".encode("utf-16-be"))
    write("cp1252.csv",
          ("Nom;Remarque\r\n"
           "José;Il a dit “très bien” pour 5 €\r\n"
           "Hélène;Déjà payé, merci\r\n"
           "François;À régler avant la fin du mois prochain\r\n").encode("cp1252"))
    write("semicolon.csv", b"a;b;c\n1;2;3\n4;5;6\n")
    write("pipe.csv", b"a|b\n1|2\n")
    write("quoted.csv",
          b'Name,Note,Amount\n'
          b'"Smith, J","He said ""hi""\nand left",3\n'
          b'Plain,"",4\n')
    # Blank lines (CRLF and LF), a record of empty fields, a multi-line value.
    write("blank-lines.csv",
          b"A,B\r\n1,2\r\n\r\n3,4\r\n,\r\n\"x\ny\",5\r\n6,7\n\n")
    write("headers.csv", b'Name,,Name," Email ",name\n1,2,3,4,5\n')
    # ASCII for well over the 64 KiB sample, then Windows-1252.
    rows = "".join("row%05d,plain\n" % i for i in range(6000))
    # Saved by a program that writes "?" for what Windows-1252 cannot hold
    # (Excel's "CSV (comma delimited)" on Windows does).
    write("lost-letters.csv",
          ("Name;Email;Note\r\n"
           "Łukasz Wałęsa;l@example.test;Kommen Sie?\r\n"
           "José;j@example.test;https://example.test/?a=1\r\n"
           "Zoë Nowak;z@example.test;Grüße an Małgorzata\r\n").encode("cp1252", errors="replace"))
    write("late-cp1252.csv", ("Id,Name\n" + rows + "last,José\n").encode("cp1252"))
    write("huge-cell.csv", b"A\n" + b"x" * (2 * 1024 * 1024) + b"\n")
    write("empty.csv", b"\n\n")


def xlsx_fixtures(d):
    import xlsxwriter

    wb = xlsxwriter.Workbook(os.path.join(d, "types.xlsx"))
    ws = wb.add_worksheet("People")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    builtin_date = wb.add_format({"num_format": 14})
    time_fmt = wb.add_format({"num_format": "hh:mm:ss"})
    dt_fmt = wb.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    custom_date = wb.add_format({"num_format": '[$-409]d" de "mmmm yyyy'})
    pct = wb.add_format({"num_format": "0%"})
    money = wb.add_format({"num_format": '#,##0.00 "€"'})
    bold = wb.add_format({"bold": True})
    ws.write_row(0, 0, ["Text", "Number", "Bool", "Date", "Time", "DateTime",
                        "Builtin", "Custom", "Formula", "Rich", "Percent", "Money"])
    ws.write_string(1, 0, "plain")
    ws.write_number(1, 1, 0.1)
    ws.write_boolean(1, 2, True)
    ws.write_datetime(1, 3, datetime.date(2024, 3, 1), date_fmt)
    ws.write_datetime(1, 4, datetime.time(14, 30), time_fmt)
    ws.write_datetime(1, 5, datetime.datetime(2024, 3, 1, 14, 30), dt_fmt)
    ws.write_datetime(1, 6, datetime.date(1999, 12, 31), builtin_date)
    ws.write_datetime(1, 7, datetime.date(2024, 2, 29), custom_date)
    ws.write_formula(1, 8, "=B2*2", None, 0.2)
    ws.write_rich_string(1, 9, bold, "bold", " and plain")
    ws.write_number(1, 10, 0.25, pct)
    ws.write_number(1, 11, 1234.5, money)
    ws.write_row(2, 0, ["second", 12, False])
    ws.write_number(3, 1, -3.5)
    ws.write_number(4, 1, 1e20)
    ws.write_number(5, 1, 0.1 + 0.2)
    # Row 8 (7 zero-based) after two empty rows, one sparse cell.
    ws.write_string(7, 4, "sparse")
    ws.write_formula(8, 8, "=1/0", None, "#DIV/0!")
    ws.write_formula(9, 8, '="a"&"b"', None, "ab")
    ws2 = wb.add_worksheet("Second")
    ws2.write_row(0, 0, ["Only"])
    ws2.write_row(1, 0, ["x"])
    wb.close()

    wb = xlsxwriter.Workbook(os.path.join(d, "epoch1904.xlsx"), {"date_1904": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["When", "At"])
    ws.write_datetime(1, 0, datetime.date(2024, 3, 1), wb.add_format({"num_format": "yyyy-mm-dd"}))
    ws.write_datetime(1, 1, datetime.datetime(1904, 1, 2, 6, 0),
                      wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}))
    wb.close()

    wb = xlsxwriter.Workbook(os.path.join(d, "big.xlsx"), {"constant_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["N", "Square"])
    for i in range(1, 5001):
        ws.write_row(i, 0, [i, i * i])
    wb.close()

    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Name", "Born", "Seen", "Score"])
    ws.append(["Ada", datetime.date(1815, 12, 10), datetime.datetime(2024, 3, 1, 9, 5, 7), 12])
    ws.append(["Grace", datetime.date(1906, 12, 9), None, 0.1])
    wb.create_sheet("Empty")
    wb.save(os.path.join(d, "openpyxl.xlsx"))


WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Hand" sheetId="1" r:id="rId1"/></sheets></workbook>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
 Target="worksheets/sheet1.xml"/></Relationships>"""
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="2"><numFmt numFmtId="164" formatCode="[h]:mm:ss"/>
<numFmt numFmtId="165" formatCode="&quot;Day&quot; 0.00"/></numFmts>
<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/>
<xf numFmtId="22"/></cellXfs></styleSheet>"""
SST = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3">
<si><t>Name</t></si>
<si><r><rPr><b/></rPr><t>Rich</t></r><r><t xml:space="preserve"> text</t></r></si>
<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si>
</sst>"""
SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Value</t></is></c><c r="C1" t="inlineStr"><is><t>Other</t></is></c></row>
<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="inlineStr"><is><r><t>in</t></r><r><t>line &amp; rich</t></r></is></c></row>
<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3" t="e"><v>#N/A</v></c><c r="C3" t="b"><v>0</v></c></row>
<row r="4"><c r="A4" s="1"><v>59</v></c><c r="B4" s="1"><v>60</v></c><c r="C4" s="1"><v>61</v></c></row>
<row r="5"><c r="A5" s="2"><v>1.5</v></c><c r="B5" s="3"><v>7</v></c><c r="C5" s="4"><v>45352.604166666664</v></c></row>
<row r="7"><c r="C7"><f>1+1</f><v>2</v></c></row>
<row r="8"><c r="A8" t="str"><f>"x"</f><v>x</v></c><c r="B8" t="d"><v>2024-03-01T10:00:00</v></c><c r="D8"><v>99</v></c></row>
</sheetData></worksheet>"""


def crafted(d):
    def xlsx(name, sheet, workbook=WORKBOOK, compression=zipfile.ZIP_DEFLATED):
        with zipfile.ZipFile(os.path.join(d, name), "w", compression) as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("xl/workbook.xml", workbook)
            z.writestr("xl/_rels/workbook.xml.rels", RELS)
            z.writestr("xl/styles.xml", STYLES)
            z.writestr("xl/sharedStrings.xml", SST)
            z.writestr("xl/worksheets/sheet1.xml", sheet)

    xlsx("hand.xlsx", SHEET)
    # Well-formed zip, sheet XML cut short.
    xlsx("badxml.xlsx", SHEET[: len(SHEET) // 2])
    # A zip bomb: 64 MiB of spaces inside the sheet compress to ~64 KiB.
    head, tail = SHEET.split("<sheetData>")
    with zipfile.ZipFile(os.path.join(d, "bomb.xlsx"), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", RELS)
        z.writestr("xl/sharedStrings.xml", SST)
        z.writestr("xl/worksheets/sheet1.xml",
                   head + "<sheetData>" + " " * (64 * 1024 * 1024) + tail)
    # An xlsx cut in half.
    with open(os.path.join(d, "types.xlsx"), "rb") as f:
        data = f.read()
    with open(os.path.join(d, "truncated.xlsx"), "wb") as f:
        f.write(data[: len(data) // 2])
    # Not a zip at all.
    with open(os.path.join(d, "garbage.xlsx"), "wb") as f:
        f.write(b"PK\x03\x04" + bytes(range(256)) * 8)
    # An OLE compound file: what Excel writes for a password-protected
    # workbook (and for .xls). With and without a telling name.
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    for name in ("locked.xlsx", "locked-noext"):
        with open(os.path.join(d, name), "wb") as f:
            f.write(ole)
    # A zip that is neither workbook.
    with zipfile.ZipFile(os.path.join(d, "other.zip"), "w") as z:
        z.writestr("readme.txt", "hello")
    # An encrypted ODS: the manifest says so.
    with zipfile.ZipFile(os.path.join(d, "locked.ods"), "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                   zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml",
                   '<?xml version="1.0"?><manifest:manifest xmlns:manifest='
                   '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                   '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
                   '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x">'
                   '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="x"/>'
                   '</manifest:encryption-data></manifest:file-entry></manifest:manifest>')
        z.writestr("content.xml", b"\x8f\x12garbage")


# LibreOffice saves TRUE and FALSE as the numbers 1 and 0 with a boolean
# number format. Written as LibreOffice 7 writes them.
LO_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
         'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
         'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
         'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
         'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
         'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
         'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
         'office:version="1.3"')
LO_STYLES = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles %s><office:styles>
<number:boolean-style style:name="N99"><number:boolean/></number:boolean-style>
<number:number-style style:name="N2"><number:number number:decimal-places="2" number:min-decimal-places="2" number:min-integer-digits="1"/></number:number-style>
<style:style style:name="Default" style:family="table-cell"/>
<style:style style:name="Flag" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N99"/>
</office:styles></office:document-styles>""" % LO_NS
LO_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content %s><office:automatic-styles>
<style:style style:name="co1" style:family="table-column"><style:table-column-properties fo:break-before="auto" style:column-width="2.258cm"/></style:style>
<number:boolean-style style:name="N10000"><number:boolean/></number:boolean-style>
<style:style style:name="ce1" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N10000"/>
<style:style style:name="ce2" style:family="table-cell" style:parent-style-name="Flag"/>
<style:style style:name="ce3" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N2"/>
</office:automatic-styles><office:body><office:spreadsheet>
<table:table table:name="Flags" table:style-name="ta1">
<table:table-column table:style-name="co1" table:default-cell-style-name="Default"/>
<table:table-column table:style-name="co1" table:number-columns-repeated="2" table:default-cell-style-name="ce1"/>
<table:table-column table:style-name="co1" table:number-columns-repeated="1021" table:default-cell-style-name="Default"/>
<table:table-row table:style-name="ro1">
<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Paid</text:p></table:table-cell>
<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Sent</text:p></table:table-cell>
<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Seen</text:p></table:table-cell>
<table:table-cell table:style-name="Default" office:value-type="string" calcext:value-type="string"><text:p>Count</text:p></table:table-cell>
<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Flag</text:p></table:table-cell>
<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Bool</text:p></table:table-cell>
</table:table-row>
<table:table-row table:style-name="ro1">
<table:table-cell table:style-name="ce1" office:value-type="float" office:value="1" calcext:value-type="float"><text:p>TRUE</text:p></table:table-cell>
<table:table-cell office:value-type="float" office:value="0" calcext:value-type="float"><text:p>FALSE</text:p></table:table-cell>
<table:table-cell office:value-type="float" office:value="1" calcext:value-type="float"><text:p>TRUE</text:p></table:table-cell>
<table:table-cell table:style-name="ce3" office:value-type="float" office:value="1" calcext:value-type="float"><text:p>1.00</text:p></table:table-cell>
<table:table-cell table:style-name="ce2" office:value-type="float" office:value="0" calcext:value-type="float"><text:p>FALSE</text:p></table:table-cell>
<table:table-cell office:value-type="boolean" office:boolean-value="true" calcext:value-type="boolean"><text:p>TRUE</text:p></table:table-cell>
</table:table-row>
<table:table-row table:style-name="ro1">
<table:table-cell table:style-name="ce1" office:value-type="float" office:value="0" calcext:value-type="float"><text:p>FALSE</text:p></table:table-cell>
<table:table-cell table:number-columns-repeated="2" office:value-type="float" office:value="1" calcext:value-type="float"><text:p>TRUE</text:p></table:table-cell>
<table:table-cell office:value-type="float" office:value="0" calcext:value-type="float"><text:p>0</text:p></table:table-cell>
<table:table-cell table:style-name="ce2" office:value-type="float" office:value="1" calcext:value-type="float"><text:p>TRUE</text:p></table:table-cell>
<table:table-cell office:value-type="boolean" office:boolean-value="false" calcext:value-type="boolean"><text:p>FALSE</text:p></table:table-cell>
</table:table-row>
<table:table-row table:style-name="ro1" table:number-rows-repeated="1048573">
<table:table-cell table:number-columns-repeated="1024"/>
</table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>""" % LO_NS
LO_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""
LO_XLSX_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="3"><numFmt numFmtId="164" formatCode="&quot;TRUE&quot;;&quot;TRUE&quot;;&quot;FALSE&quot;"/>
<numFmt numFmtId="165" formatCode="0.0;&quot;minus&quot;;&quot;nothing&quot;"/>
<numFmt numFmtId="166" formatCode="[$-407]&quot;WAHR&quot;;&quot;WAHR&quot;;&quot;FALSCH&quot;"/></numFmts>
<fonts count="1"><font><sz val="10"/><name val="Arial"/><family val="2"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border diagonalUp="false" diagonalDown="false"><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="164" fontId="0" fillId="0" borderId="0" applyFont="true" applyBorder="true" applyAlignment="true" applyProtection="true"/></cellStyleXfs>
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyFont="false" applyBorder="false" applyAlignment="false" applyProtection="false"/>
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyFont="false"/>
<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyFont="false"/></cellXfs>
<cellStyles count="1"><cellStyle name="Default" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""
LO_XLSX_SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>Paid</t></is></c><c r="B1" t="inlineStr"><is><t>Sign</t></is></c><c r="C1" t="inlineStr"><is><t>Wahr</t></is></c><c r="D1" t="inlineStr"><is><t>Plain</t></is></c></row>
<row r="2"><c r="A2" s="1" t="n"><v>1</v></c><c r="B2" s="2" t="n"><v>2.5</v></c><c r="C2" s="3" t="n"><v>1</v></c><c r="D2" s="0" t="n"><v>1</v></c></row>
<row r="3"><c r="A3" s="1" t="n"><v>0</v></c><c r="B3" s="2" t="n"><v>-2</v></c><c r="C3" s="3" t="n"><v>0</v></c><c r="D3" s="0" t="n"><v>0</v></c></row>
<row r="4"><c r="A4" s="1" t="n"><v>-1</v></c><c r="B4" s="2" t="n"><v>0</v></c></row>
</sheetData></worksheet>"""


def libreoffice(d):
    with zipfile.ZipFile(os.path.join(d, "lo-bool.ods"), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                   zipfile.ZIP_STORED)
        z.writestr("content.xml", LO_CONTENT)
        z.writestr("styles.xml", LO_STYLES)
        z.writestr("META-INF/manifest.xml", LO_MANIFEST)
    with zipfile.ZipFile(os.path.join(d, "lo-bool.xlsx"), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", RELS)
        z.writestr("xl/styles.xml", LO_XLSX_STYLES)
        z.writestr("xl/worksheets/sheet1.xml", LO_XLSX_SHEET)


def ods_fixtures(d):
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableRow, TableCell
    from odf.text import P, S, Tab, LineBreak, Span

    doc = OpenDocumentSpreadsheet()
    t = Table(name="Values")

    def row(cells, repeat=None):
        tr = TableRow() if repeat is None else TableRow(numberrowsrepeated=repeat)
        for c in cells:
            tr.addElement(c)
        t.addElement(tr)

    def text(s, **kw):
        c = TableCell(valuetype="string", **kw)
        c.addElement(P(text=s))
        return c

    def empty(repeat=None):
        return TableCell() if repeat is None else TableCell(numbercolumnsrepeated=repeat)

    # Two empty rows before the header: the header is row 3.
    row([empty(5)], repeat=2)
    row([text("Float"), text("Currency"), text("Percent"), text("Date"), text("DateTime"),
         text("Time"), text("Bool"), text("Text"), text("Paras"), empty(16000)])
    spaced = TableCell(valuetype="string")
    p = P(text="a")
    p.addElement(S(c=3))
    p.addText("b")
    p.addElement(Tab())
    p.addText("c")
    p.addElement(LineBreak())
    sp = Span(text="d")
    p.addElement(sp)
    p.addElement(S())
    p.addText("e")
    spaced.addElement(p)
    paras = TableCell(valuetype="string")
    paras.addElement(P(text="first"))
    paras.addElement(P(text="second"))
    row([TableCell(valuetype="float", value="0.1"),
         TableCell(valuetype="currency", currency="EUR", value="1234.5"),
         TableCell(valuetype="percentage", value="0.25"),
         TableCell(valuetype="date", datevalue="2024-03-01"),
         TableCell(valuetype="date", datevalue="2024-03-01T14:30:00"),
         TableCell(valuetype="time", timevalue="PT14H30M00S"),
         TableCell(valuetype="boolean", booleanvalue="true"),
         spaced, paras, empty(16000)])
    # The same values three times, and a cell repeated over two columns.
    row([TableCell(valuetype="float", value="12", numbercolumnsrepeated=2),
         empty(5), text("rep"), empty(16000)], repeat=3)
    # A blank row inside the data, then one more row.
    row([empty(1024)])
    row([TableCell(valuetype="float", value="-3.5"), empty(16000)])
    # The million blank rows at the end of a LibreOffice sheet.
    row([empty(16384)], repeat=1048000)
    doc.spreadsheet.addElement(t)
    t2 = Table(name="Other")
    tr = TableRow()
    tr.addElement(text("Only"))
    t2.addElement(tr)
    tr = TableRow()
    tr.addElement(text("y"))
    t2.addElement(tr)
    doc.spreadsheet.addElement(t2)
    doc.save(os.path.join(d, "values.ods"))


def column_name(i):
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def hostile(d):
    """Files no writer makes on purpose (issue 16): empty, a million
    columns, values at the size limit. The FIFO, the folder and the sparse
    files are made by test-table itself."""
    def write(name, data):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)

    for ext in ("csv", "xlsx", "ods"):
        write("zero." + ext, b"")
    n = 1000000
    write("wide.csv", ",".join("c%d" % i for i in range(n)).encode() + b"\n" +
          b",".join(b"v" for i in range(n)) + b"\n")
    # A short header, and a data row of a million values: the extra ones
    # are dropped (with a warning), not kept.
    write("wide-row.csv", b"Name,Email\nAnn,ann@example.org" + b",x" * n + b"\n")
    # A value of 1 MB is kept; one past 1 MiB is refused, even without a
    # line end (the value still being read counts).
    write("cell-1mb.csv", b"Name,Note\nAnn," + b"x" * 1000000 + b"\n")
    write("cell-endless.csv", b"Name,Note\nAnn," + b"x" * (3 * 1024 * 1024))
    cells = "".join('<c r="%s1" t="inlineStr"><is><t>c%d</t></is></c>' % (column_name(i), i)
                    for i in range(n))
    with zipfile.ZipFile(os.path.join(d, "wide.xlsx"), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", RELS)
        z.writestr("xl/worksheets/sheet1.xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                   '<sheetData><row r="1">' + cells + '</row></sheetData></worksheet>')
    rows = "".join("row%07d,plain text for a row\n" % i for i in range(40000))
    write("long.csv", ("Id,Note\n" + rows).encode())


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    csv_fixtures(d)
    xlsx_fixtures(d)
    crafted(d)
    libreoffice(d)
    ods_fixtures(d)
    hostile(d)


if __name__ == "__main__":
    main()
