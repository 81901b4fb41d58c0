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
put("template", "filters.txt", "%A, %-d. %B %Y %H:%M %p %j %%\nTo: {{ Email }}\n"
                               "Subject: {{ Amount | raw }} {{ Due | date: \"%d.%m.%y\" | default: 'bald' }}\n\n"
                               "{{ Due | date: \"%A, %-d. %B %Y, %I:%M %p\" }} {{ Note | date: '%e %b' }}\n")
put("address", "list.txt", "Zoë Weiß <zoe@example.org>, \"Doe, J.\" <j@example.org>; asa@example.org")
put("address", "group.txt", "Freunde: a@example.org, b@example.org;, =?utf-8?q?Z=C3=B6e?= <z@x.org>")
put("address", "broken.txt", "u>")
put("markdown", "doc.md", "# Titel\n\n**fett** _kursiv_ [link](https://example.org)\n\n"
                          "- a\n- b\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```\n<b>html</b>\n")
# --- the MIME builder: a draft's fields, NUL-separated (fuzz-mime.c) ------------------
def draft(*fields):
    return b"\0".join(f.encode("utf-8") if isinstance(f, str) else f for f in fields)


put("mime", "plain.bin", draft("\x00", "Zoë Weiß", "Ann <ann@example.org>, bob@example.org", "",
                               "hidden@example.org", "Ihre Noten – März", "Hallo Zoë,\nanbei.\n", "",
                               "<a.1@example.org>", "<r.0@example.org> <a.1@example.org>", "Noten.pdf"))
put("mime", "markdown.bin", draft("\x03", "\"Doe, J.\"", "j@example.org", "cc@example.org", "",
                                  "=?utf-8?q?x?= " + "lang " * 60, "# Titel\n\n**fett** " + "x" * 1200,
                                  "reply@example.org", "", "", "Rechnung ä ö ü – 2024.xlsx", "id.1@example.org"))
put("mime", "injection.bin", draft("\x00", "Eve\r\nBcc: x@evil.test", "a@example.org\r\nX-Evil: 1",
                                   "", "", "Hi\r\nX-Injected: yes", ".\r\n.\r\nQUIT\r\n", "", "",
                                   "", "a\r\nContent-Type: text/html"))


# --- received mail (the message reader) ----------------------------------------------
# Python's email package writes them; the S/MIME and password seeds above
# are read too (with no vault, and with the fuzz target's password).
def readmsg_seeds():
    import email.message
    import email.policy
    import shutil

    def message(subject, **headers):
        m = email.message.EmailMessage(policy=email.policy.SMTP)
        m["From"] = "Zoë Weiß <zoe@example.org>"
        m["To"] = "reader@example.test, Åsa <asa@example.org>"
        m["Cc"] = "\"Doe, J.\" <j@example.org>"
        m["Subject"] = subject
        m["Date"] = "Tue, 14 Nov 2023 10:30:00 +0000"
        m["Message-ID"] = "<seed.1@example.org>"
        m["References"] = "<r0@example.org> <r1@example.org>"
        for k, v in headers.items():
            m[k.replace("_", "-")] = v
        return m

    m = message("Plain " + "Wörter " * 20)
    m.set_content("Hallo,\n\n> zitiert\nhttps://example.org/x\n")
    put("readmsg", "plain.eml", m.as_bytes())
    m = message("Rich", Reply_To="list@example.org")
    m.set_content("plain alternative\n")
    m.add_alternative("<html><body><p>Hi <b>there</b> <a href='https://e.org'>x</a>"
                      "<img src='http://evil/'><script>x()</script></p></body></html>", subtype="html")
    put("readmsg", "alternative.eml", m.as_bytes())
    m = message("cp1252")
    m.set_content("Grüße – €\n".encode("cp1252"), maintype="text", subtype="plain",
                  params={"charset": "windows-1252"}, cte="quoted-printable")
    put("readmsg", "cp1252.eml", m.as_bytes())
    m = message("Files")
    m.set_content("Files attached.\n")
    for name in ["../../etc/passwd", ".bashrc", "Übersicht März.pdf", ""]:
        m.add_attachment(b"%PDF-1.4\n", maintype="application", subtype="pdf", filename=name)
    inner = message("Inner")
    inner.set_content("forwarded\n")
    m.add_attachment(inner)
    put("readmsg", "attachments.eml", m.as_bytes())
    put("readmsg", "flowed.eml", b"From: a@example.org\r\nSubject: flowed\r\nContent-Type: text/plain;"
        b" charset=utf-8; format=flowed; delsp=yes\r\n\r\nA long line that \r\nwas wrapped.\r\n"
        b" From stuffed\r\n-- \r\nSig\r\n")
    put("readmsg", "dsn.eml", (
        "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nTo: reader@example.test\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;\r\n"
        "\tboundary=\"B.1/mx\"\r\n\r\n--B.1/mx\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "could not be delivered\r\n--B.1/mx\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; nobody@example.net\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
        "\r\n--B.1/mx\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <c.7@example.org>\r\n"
        "Subject: x\r\n\r\n--B.1/mx--\r\n").encode())
    for target in ("smime", "pwmail"):
        for name in sorted(os.listdir(os.path.join(corpus, target))):
            shutil.copy(os.path.join(corpus, target, name),
                        os.path.join(corpus, "readmsg", target + "-" + name))


readmsg_seeds()
print("seeds written to", corpus)
