#!/usr/bin/python3
"""tests/fuzz/make-seeds.py: writes the seed corpus of every fuzz target
into tests/fuzz/corpus/, each made by a real writer: openpyxl, XlsxWriter
and odfpy for spreadsheets, openssl for S/MIME, epistle-cli for password
mail. Run it inside the rig (epistle-cli needs the keyring):

  tests/servers/rig.sh /usr/bin/python3 tests/fuzz/make-seeds.py build

Seeds are small on purpose: the fuzzer grows its own corpus from them.
"""

import datetime
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "build"))
corpus = os.path.join(here, "corpus")
cli = os.path.join(build, "src", "cli", "epistle-cli")


def put(target, name, data):
    os.makedirs(os.path.join(corpus, target), exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(corpus, target, name), "wb") as f:
        f.write(data)


ROWS = [["Name", "Email", "Betrag", "Datum"],
        ["Zoë Weiß", "zoe@example.org", 1234.5, datetime.date(2024, 3, 19)],
        ["Åsa, \"Q\"", "asa@example.org", 0.1, datetime.date(2024, 12, 1)]]

# --- CSV: encodings and delimiters as exported by spreadsheets ------------------
text = "Name,Email,Note\nZoë Weiß,zoe@example.org,\"a, b\"\nÅsa,asa@example.org,\"line\nbreak\"\n"
put("csv", "utf8.csv", text)
put("csv", "utf8-bom.csv", "\ufeff" + text)
put("csv", "semicolon-latin1.csv", text.replace(",", ";").encode("latin-1", "replace"))
put("csv", "utf16.csv", text.encode("utf-16"))
put("csv", "tab.csv", text.replace(",", "\t"))

with tempfile.TemporaryDirectory() as tmp:
    # --- XLSX from openpyxl and XlsxWriter, with number formats -------------
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in ROWS:
        ws.append(r)
    ws["C2"].number_format = '#,##0.00 "€"'
    ws["D2"].number_format = "DD.MM.YYYY"
    ws2 = wb.create_sheet("Zweites Blatt")
    ws2.append(["x", "=1+1"])
    path = os.path.join(tmp, "a.xlsx")
    wb.save(path)
    put("xlsx", "openpyxl.xlsx", open(path, "rb").read())

    import xlsxwriter
    path = os.path.join(tmp, "b.xlsx")
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    money = wb.add_format({"num_format": "#,##0.00 [$€-407]"})
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    for i, r in enumerate(ROWS):
        for j, v in enumerate(r):
            if isinstance(v, datetime.date):
                ws.write_datetime(i, j, datetime.datetime.combine(v, datetime.time()), date)
            elif isinstance(v, float):
                ws.write_number(i, j, v, money)
            else:
                ws.write(i, j, v)
    ws.write_formula(3, 2, "=SUM(C2:C3)", money, 1234.6)
    wb.close()
    put("xlsx", "xlsxwriter.xlsx", open(path, "rb").read())

    # --- ODS from odfpy ------------------------------------------------------------
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P
    doc = OpenDocumentSpreadsheet()
    table = Table(name="Tabelle1")
    for r in ROWS:
        tr = TableRow()
        for v in r:
            if isinstance(v, float):
                cell = TableCell(valuetype="float", value=v)
                cell.addElement(P(text=f"{v:,.2f} €"))
            elif isinstance(v, datetime.date):
                cell = TableCell(valuetype="date", datevalue=v.isoformat())
                cell.addElement(P(text=v.strftime("%d.%m.%Y")))
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=v))
            tr.addElement(cell)
        table.addElement(tr)
    repeated = TableRow()
    repeated.addElement(TableCell(numbercolumnsrepeated=3))
    table.addElement(repeated)
    doc.spreadsheet.addElement(table)
    path = os.path.join(tmp, "c.ods")
    doc.save(path)
    put("ods", "odfpy.ods", open(path, "rb").read())

    # --- S/MIME from openssl: signed, enveloped (CBC), authenveloped (GCM) ------
    def ossl(*args, data=None):
        return subprocess.run(["openssl", *args], input=data, check=True, capture_output=True).stdout

    key, cert = os.path.join(tmp, "k.pem"), os.path.join(tmp, "c.pem")
    ossl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-subj", "/CN=Seed/emailAddress=seed@example.test", "-days", "3650",
         "-addext", "subjectAltName=email:seed@example.test", "-keyout", key, "-out", cert)
    entity = (b"Content-Type: text/plain; charset=utf-8\r\n\r\nGr\xc3\xbc\xc3\x9fe, seed.\r\n")
    head = b"From: seed@example.test\r\nTo: reader@example.test\r\nSubject: seed\r\n"
    signed = ossl("cms", "-sign", "-signer", cert, "-inkey", key, "-md", "sha256", "-crlfeol",
                  data=entity)
    put("smime", "signed.eml", head + signed)
    put("smime", "signed-opaque.eml", head + ossl("cms", "-sign", "-nodetach", "-signer", cert,
                                                  "-inkey", key, data=entity))
    put("smime", "enveloped-cbc.eml", head + ossl("cms", "-encrypt", "-aes-256-cbc", cert, data=entity))
    put("smime", "authenveloped-gcm.eml", head + ossl("cms", "-encrypt", "-aes-256-gcm", cert,
                                                      data=entity))
    put("smime", "pwri-cbc.eml", head + ossl("cms", "-encrypt", "-aes-256-cbc", "-pwri_password",
                                             "Kastanie-Wolke-7-Fähre", data=entity))

    # --- password mail from epistle-cli, cheap to open (1,000 iterations) -----
    env = dict(os.environ, EPISTLE_TEST_KDF_ITERATIONS="1000", XDG_DATA_HOME=f"{tmp}/xd",
               XDG_CONFIG_HOME=f"{tmp}/xc", XDG_CACHE_HOME=f"{tmp}/xk", GSETTINGS_BACKEND="memory")
    subprocess.run([cli, "account", "add", "seed", "--email", "seed@example.test", "--user", "s",
                    "--smtp", "127.0.0.1:9", "--smtp-security", "starttls", "--password-stdin"],
                   input=b"x\n", env=env, check=True, capture_output=True)
    att = os.path.join(tmp, "Zeugnis.pdf")
    open(att, "wb").write(b"%PDF-1.4\n" + bytes(range(64)))
    for name, extra in (("plain.eml", []), ("attachment-hint.eml", ["--attach", att,
                                                                   "--password-hint", "Fähre"]),
                        ("markdown.eml", ["--markdown"])):
        out = os.path.join(tmp, name)
        subprocess.run([cli, "send", "--account", "seed", "--to", "Zoë <zoe@example.org>",
                        "--subject", "Noten ✓", "--body", "Liebe Zoë,\n\n**1,7**\n", "--password-file",
                        "-", "--dry-run", "-o", out, *extra],
                       input="Kastanie-Wolke-7-Fähre\n".encode(), env=env, check=True,
                       capture_output=True)
        put("pwmail", name, open(out, "rb").read())
    put("pwmail", "not-protected.eml", head + entity)

# --- templates, addresses, Markdown --------------------------------------------------
put("template", "basic.txt", "To: {{ Name }} <{{ Email }}>\nSubject: Hallo {{ Name | default: \"du\" }}\n"
                             "Attachment: files/{{ File }}\nFormat: markdown\n\n"
                             "Liebe/r {{ Name }},\n{{#if Note}}Notiz: {{ Note }}{{else}}nichts{{/if}}\n")
put("template", "bench.txt", open(os.path.join(here, "..", "bench", "bench-template.txt"), "rb").read())
put("template", "nested.txt", "To: {{Email}}\nSubject: x\n\n" + "{{#if Name}}" * 5 + "y" + "{{/if}}" * 5)
put("address", "list.txt", "Zoë Weiß <zoe@example.org>, \"Doe, J.\" <j@example.org>; asa@example.org")
put("address", "group.txt", "Freunde: a@example.org, b@example.org;, =?utf-8?q?Z=C3=B6e?= <z@x.org>")
put("address", "broken.txt", "u>")
put("markdown", "doc.md", "# Titel\n\n**fett** _kursiv_ [link](https://example.org)\n\n"
                          "- a\n- b\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```\n<b>html</b>\n")
print("seeds written to", corpus)
