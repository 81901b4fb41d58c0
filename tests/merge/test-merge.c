/* test-merge.c: templates ({{ }}, defaults, conditions), rendering, row
 * selections and the validation report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "mail/ep-gmime-private.h"

#include <epistle-core.h>

/* Helpers */

/* A table from a NULL-terminated header and @n_rows rows of @n columns,
 * row-major; row numbers start at 2 as in a spreadsheet. */
static EpTable *
table_new (const char * const *columns,
           const char * const *cells,
           guint               n_rows)
{
  EpTable *table = ep_table_new (columns);
  guint n = g_strv_length ((char **) columns);

  for (guint r = 0; r < n_rows; r++)
    ep_table_append_row (table, r + 2, cells + r * n, n);

  return table;
}

static EpTable *
one_row (const char * const *columns,
         const char * const *values)
{
  return table_new (columns, values, 1);
}

static EpTemplate *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  EpTemplate *tmpl = ep_template_parse (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (tmpl);
  return tmpl;
}

static EpDraft *
render_ok (EpTemplate *tmpl,
           EpTable    *table,
           guint       row)
{
  g_autoptr(GError) error = NULL;
  EpDraft *draft = ep_template_render (tmpl, table, row, "/base", &error);

  g_assert_no_error (error);
  g_assert_nonnull (draft);
  return draft;
}

static void
assert_parse_fails (const char *text,
                    int         code,
                    const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpTemplate) tmpl = ep_template_parse (text, &error);

  g_assert_null (tmpl);
  g_assert_error (error, EP_TEMPLATE_ERROR, code);
  g_assert_cmpstr (error->message, ==, message);
}

static char *
body_of (EpTemplate         *tmpl,
         const char * const *columns,
         const char * const *values)
{
  g_autoptr(EpTable) table = one_row (columns, values);
  g_autoptr(EpDraft) draft = render_ok (tmpl, table, 0);

  return g_strdup (draft->body);
}

/* Syntax */

static void
test_values (void)
{
  const char *columns[] = { "Email", "First name", "Prénom de l’élève", "Note", NULL };
  const char *values[] = { "ann@example.org", "Ann", "Zoë", "", };
  g_autoptr(EpTemplate) tmpl = NULL;
  g_autoptr(EpTable) table = one_row (columns, values);
  g_autoptr(EpDraft) draft = NULL;

  tmpl = parse_ok ("To: {{ First name }} <{{Email}}>\n"
                   "Subject: Marks for {{   Prénom de l’élève   }}\n"
                   "\n"
                   "Dear {{ First name }},\n"
                   "note: [{{ Note }}] {{ first NAME }}\n");
  draft = render_ok (tmpl, table, 0);

  g_assert_cmpuint (draft->to->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (draft->to, 0), ==, "Ann <ann@example.org>");
  g_assert_cmpuint (draft->cc->len, ==, 0);
  g_assert_cmpuint (draft->bcc->len, ==, 0);
  g_assert_null (draft->reply_to);
  g_assert_cmpstr (draft->subject, ==, "Marks for Zoë");
  g_assert_cmpstr (draft->body, ==, "Dear Ann,\nnote: [] Ann\n");
  g_assert_false (draft->markdown);
  g_assert_null (draft->html_source);
  g_assert_null (draft->from_address);
  g_assert_cmpuint (draft->attachments->len, ==, 0);

  {
    const char * const *used = ep_template_get_columns (tmpl);

    g_assert_cmpuint (g_strv_length ((char **) used), ==, 5);
    g_assert_cmpstr (used[0], ==, "First name");
    g_assert_cmpstr (used[1], ==, "Email");
    g_assert_cmpstr (used[2], ==, "Prénom de l’élève");
    g_assert_cmpstr (used[3], ==, "Note");
    g_assert_cmpstr (used[4], ==, "first NAME");
  }
}

static void
test_default (void)
{
  const char *columns[] = { "First name", NULL };
  g_autoptr(EpTemplate) tmpl = NULL;

  tmpl = parse_ok ("Subject: x\n\n"
                   "Hi {{ First name | default: \"there\" }}! "
                   "{{First name|default:'you, \"friend\"'}} "
                   "{{ First name | default: \"a }} b\" }}\n");

  {
    const char *values[] = { "" };
    g_autofree char *body = body_of (tmpl, columns, values);
    g_assert_cmpstr (body, ==, "Hi there! you, \"friend\" a }} b\n");
  }
  {
    const char *values[] = { "  \t " };
    g_autofree char *body = body_of (tmpl, columns, values);
    g_assert_cmpstr (body, ==, "Hi there! you, \"friend\" a }} b\n");
  }
  {
    const char *values[] = { "Ann" };
    g_autofree char *body = body_of (tmpl, columns, values);
    g_assert_cmpstr (body, ==, "Hi Ann! Ann Ann\n");
  }
}

/* {{ x | raw }} and {{ x | date: "…" }} on a workbook written by
 * LibreOffice, read in German: the value under the format, and dates in
 * another pattern with German names; text dates from a CSV too. */
static void
test_filters (void)
{
  g_autofree char *path = g_build_filename (LIBREOFFICE_DIR, "numfmt.xlsx", NULL);
  EpTableOptions options = { 0, };
  g_autoptr(EpTable) xlsx = NULL;
  g_autoptr(EpTemplate) tmpl = NULL;
  g_autoptr(GError) error = NULL;
  int money = -1, date = -1, stamp = -1;

  options.locale = "de_DE";
  xlsx = ep_table_read (path, &options, NULL, &error);
  g_assert_no_error (error);
  for (guint r = 0; r < ep_table_get_n_rows (xlsx); r++)
    {
      const char *name = ep_table_get_value (xlsx, r, 0);

      if (g_str_equal (name, "money"))
        money = (int) r;
      else if (g_str_equal (name, "date_german"))
        date = (int) r;
      else if (g_str_equal (name, "date_time"))
        stamp = (int) r;
    }
  g_assert_cmpint (money, >=, 0);
  g_assert_cmpint (date, >=, 0);
  g_assert_cmpint (stamp, >=, 0);

  tmpl = parse_ok ("Subject: {{ Shown | raw }}\n\n{{ Shown }} / {{ Shown | raw }}\n");
  {
    g_autoptr(EpDraft) draft = render_ok (tmpl, xlsx, money);

    g_assert_cmpstr (draft->subject, ==, "1234.5");
    g_assert_cmpstr (draft->body, ==, "1.234,50 € / 1234.5\n");
  }
  g_clear_pointer (&tmpl, ep_template_unref);
  tmpl = parse_ok ("\n{{ Shown }}: {{ Shown | date: \"%A, %-d. %B %Y\" }}, "
                   "{{ Shown | date: '%a %d.%m.%y %H:%M' }} {{ Shown | date: \"%j %b %e %%\" }}\n");
  {
    g_autoptr(EpDraft) draft = render_ok (tmpl, xlsx, date);

    g_assert_cmpstr (draft->body, ==, "19.03.2024: Dienstag, 19. März 2024, Di 19.03.24 00:00 079 Mär 19 %\n");
  }
  g_clear_pointer (&tmpl, ep_template_unref);
  tmpl = parse_ok ("\n{{ Shown | date: \"%-d.%-m.%Y, %I:%M %p\" }}\n");
  {
    g_autoptr(EpDraft) draft = render_ok (tmpl, xlsx, stamp);

    g_assert_cmpstr (draft->body, ==, "1.3.2024, 02:30 PM\n");
  }

  /* A CSV's dates are text: ISO and the German way are read; a blank
   * cell takes the default; anything else fails the row, never a guess. */
  {
    const char *columns[] = { "Due", NULL };
    const char *cells[] = { "2024-12-01", "19.03.2024", "2024-03-19 08:05", "", "soon", "31.02.2024" };
    g_autoptr(EpTable) csv = table_new (columns, cells, G_N_ELEMENTS (cells));
    g_autoptr(EpTemplate) dates = parse_ok ("\n{{ Due | date: \"%d %B %Y %H:%M\" | default: \"bald\" }}\n");
    const char *expected[] = { "01 December 2024 00:00\n", "19 March 2024 00:00\n",
                               "19 March 2024 08:05\n", "bald\n" };

    for (guint r = 0; r < G_N_ELEMENTS (expected); r++)
      {
        g_autoptr(EpDraft) draft = render_ok (dates, csv, r);

        g_assert_cmpstr (draft->body, ==, expected[r]);
      }
    for (guint r = 4; r < 6; r++)
      {
        g_autoptr(GError) failed = NULL;
        g_autoptr(EpDraft) draft = ep_template_render (dates, csv, r, "/base", &failed);
        g_autofree char *want = g_strdup_printf ("Row %u: column “Due”: “%s” is not a date", r + 2,
                                                 cells[r]);

        g_assert_null (draft);
        g_assert_error (failed, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_NOT_A_DATE);
        g_assert_true (g_str_has_prefix (failed->message, want));
      }
  }
}

static void
test_if_else (void)
{
  const char *columns[] = { "Note", "Late", "Name", NULL };
  g_autoptr(EpTemplate) tmpl = NULL;

  tmpl = parse_ok ("Subject: {{#if Late}}Reminder{{else}}Hello{{/if}}\n"
                   "\n"
                   "{{#if Note}}Note: {{ Note }}{{#if Late}} (late){{else}} (on time){{/if}}"
                   "{{else}}Nothing to add{{#if Late}}, but late{{/if}}.{{/if}}\n"
                   "{{ #if  Name }}[{{Name}}]{{ /if }}{{#if Name}}{{/if}}\n");

  {
    const char *values[] = { "Well done", "", "Ann" };
    g_autoptr(EpTable) table = one_row (columns, values);
    g_autoptr(EpDraft) draft = render_ok (tmpl, table, 0);

    g_assert_cmpstr (draft->subject, ==, "Hello");
    g_assert_cmpstr (draft->body, ==, "Note: Well done (on time)\n[Ann]\n");
  }
  {
    const char *values[] = { "Well done", "yes", " " };
    g_autoptr(EpTable) table = one_row (columns, values);
    g_autoptr(EpDraft) draft = render_ok (tmpl, table, 0);

    g_assert_cmpstr (draft->subject, ==, "Reminder");
    g_assert_cmpstr (draft->body, ==, "Note: Well done (late)\n\n");
  }
  {
    const char *values[] = { " \n ", "x", "" };
    g_autoptr(EpTable) table = one_row (columns, values);
    g_autoptr(EpDraft) draft = render_ok (tmpl, table, 0);

    g_assert_cmpstr (draft->body, ==, "Nothing to add, but late.\n\n");
  }
  {
    const char *values[] = { "", "", "" };
    g_autoptr(EpTable) table = one_row (columns, values);
    g_autoptr(EpDraft) draft = render_ok (tmpl, table, 0);

    g_assert_cmpstr (draft->body, ==, "Nothing to add.\n\n");
  }
}

static void
test_literal_braces (void)
{
  const char *columns[] = { "Name", NULL };
  const char *values[] = { "Ann" };
  g_autoptr(EpTemplate) tmpl = NULL;
  g_autofree char *body = NULL;

  tmpl = parse_ok ("Subject: \\{{ Name }} is {{ Name }}\n\n"
                   "Write \\{{ Name }} for {{ Name }}; }} and { stay; a \\ too.\n"
                   "\\{{#if x}}\n");
  body = body_of (tmpl, columns, values);
  g_assert_cmpstr (body, ==, "Write {{ Name }} for Ann; }} and { stay; a \\ too.\n{{#if x}}\n");

  {
    g_autoptr(EpTable) table = one_row (columns, values);
    g_autoptr(EpDraft) draft = render_ok (tmpl, table, 0);
    g_assert_cmpstr (draft->subject, ==, "{{ Name }} is Ann");
  }
  g_assert_cmpuint (g_strv_length ((char **) ep_template_get_columns (tmpl)), ==, 1);
}

static void
test_headers (void)
{
  const char *columns[] = { "Email", "Boss", "File", NULL };
  const char *values[] = { "ann@example.org", "boss@example.org", "a.pdf" };
  g_autoptr(EpTemplate) tmpl = NULL;
  g_autoptr(EpTable) table = one_row (columns, values);
  g_autoptr(EpDraft) draft = NULL;
  const EpTemplateParts *parts;

  /* BOM, CRLF, names in any case, folded lines, repeated attachments. */
  tmpl = parse_ok ("\xEF\xBB\xBFto: {{ Email }},\r\n"
                   "   second@example.org\r\n"
                   "CC: {{ Boss }}\r\n"
                   "bcc: archive@example.org\r\n"
                   "REPLY-TO: office@example.org\r\n"
                   "Subject: A long\r\n"
                   "\tsubject\r\n"
                   "Attachment: /abs/{{ File }}\r\n"
                   "attachment: rel/common.pdf\r\n"
                   "Format: Markdown\r\n"
                   "\r\n"
                   "Body line 1\r\n"
                   "To: not a header\r\n");
  parts = ep_template_get_parts (tmpl);
  g_assert_cmpstr (parts->to, ==, "{{ Email }}, second@example.org");
  g_assert_cmpstr (parts->subject, ==, "A long subject");
  g_assert_cmpstr (parts->body, ==, "Body line 1\nTo: not a header\n");
  g_assert_true (parts->markdown);
  g_assert_cmpuint (parts->attachments->len, ==, 2);

  draft = render_ok (tmpl, table, 0);
  g_assert_cmpstr (g_ptr_array_index (draft->to, 0), ==, "ann@example.org, second@example.org");
  g_assert_cmpstr (g_ptr_array_index (draft->cc, 0), ==, "boss@example.org");
  g_assert_cmpstr (g_ptr_array_index (draft->bcc, 0), ==, "archive@example.org");
  g_assert_cmpstr (draft->reply_to, ==, "office@example.org");
  g_assert_cmpstr (draft->subject, ==, "A long subject");
  g_assert_true (draft->markdown);
  g_assert_cmpstr (g_ptr_array_index (draft->attachments, 0), ==, "/abs/a.pdf");
  g_assert_cmpstr (g_ptr_array_index (draft->attachments, 1), ==, "/base/rel/common.pdf");

  /* No headers at all, and headers without a body. */
  {
    g_autoptr(EpTemplate) t = parse_ok ("\nJust a body\n");
    g_assert_cmpstr (ep_template_get_parts (t)->body, ==, "Just a body\n");
    g_assert_cmpstr (ep_template_get_parts (t)->subject, ==, "");
  }
  {
    g_autoptr(EpTemplate) t = parse_ok ("Subject: only");
    g_assert_cmpstr (ep_template_get_parts (t)->subject, ==, "only");
    g_assert_cmpstr (ep_template_get_parts (t)->body, ==, "");
  }
}

static void
test_unknown_header (void)
{
  assert_parse_fails ("To: a@example.org\nSubjekt: Hello\n\nBody\n",
                      EP_TEMPLATE_ERROR_UNKNOWN_HEADER,
                      "line 2: unknown header “Subjekt” (known: To, Cc, Bcc, Reply-To, "
                      "Subject, Attachment, Format); a blank line must separate the "
                      "headers from the text");
  assert_parse_fails ("Subject: x\r\nFrom: me@example.org\r\n\r\n",
                      EP_TEMPLATE_ERROR_UNKNOWN_HEADER,
                      "line 2: unknown header “From” (known: To, Cc, Bcc, Reply-To, "
                      "Subject, Attachment, Format); a blank line must separate the "
                      "headers from the text");
  assert_parse_fails ("Subject: x\nDear Ann\n",
                      EP_TEMPLATE_ERROR_SYNTAX,
                      "line 2: “Dear Ann” is not a header such as “Subject: …”; a blank "
                      "line must separate the headers from the text");
  assert_parse_fails ("  folded\nSubject: x\n\n", EP_TEMPLATE_ERROR_SYNTAX,
                      "line 1: an indented line continues a header, but there is none "
                      "before it");
  assert_parse_fails ("Subject: x\nSubject: y\n\n", EP_TEMPLATE_ERROR_SYNTAX,
                      "line 2: “Subject” appears twice");
  assert_parse_fails ("Format: html\n\n", EP_TEMPLATE_ERROR_SYNTAX,
                      "line 1: the format is “markdown” or “plain”, not “html”");
}

static void
test_syntax_errors (void)
{
  assert_parse_fails ("To: a@example.org\nSubject: x\n\nHello,\n{{#if Note}}Note: {{ Note }}\n\nBye\n",
                      EP_TEMPLATE_ERROR_SYNTAX,
                      "line 5: “{{#if Note}}” is never closed with “{{/if}}”");
  /* The same with CRLF and a BOM: line numbers do not change. */
  assert_parse_fails ("\xEF\xBB\xBFTo: a@example.org\r\nSubject: x\r\n\r\nHello,\r\n{{#if Note}}Note\r\n",
                      EP_TEMPLATE_ERROR_SYNTAX,
                      "line 5: “{{#if Note}}” is never closed with “{{/if}}”");
  /* The innermost open one is named. */
  assert_parse_fails ("\n{{#if A}}\n{{#if B}}x{{/if}}\n{{#if C}}\ny{{/if}}",
                      EP_TEMPLATE_ERROR_SYNTAX,
                      "line 2: “{{#if A}}” is never closed with “{{/if}}”");
  assert_parse_fails ("Subject: x\n\nOne\nTwo {{ Name\n",
                      EP_TEMPLATE_ERROR_SYNTAX,
                      "line 4: “{{ Name” is never closed with “}}”");
  assert_parse_fails ("Subject: Hi {{ Name }\n\n",
                      EP_TEMPLATE_ERROR_SYNTAX,
                      "line 1: “{{ Name }” is never closed with “}}”");
  assert_parse_fails ("To: x\nSubject: {{#if A}}yes\n\n",
                      EP_TEMPLATE_ERROR_SYNTAX,
                      "line 2: “{{#if A}}” is never closed with “{{/if}}”");
  assert_parse_fails ("\n\n\nx{{/if}}", EP_TEMPLATE_ERROR_SYNTAX,
                      "line 4: “{{/if}}” has no “{{#if …}}” before it");
  assert_parse_fails ("\na {{else}} b", EP_TEMPLATE_ERROR_SYNTAX,
                      "line 2: “{{else}}” has no “{{#if …}}” before it");
  assert_parse_fails ("\n{{#if A}}a{{else}}b{{else}}c{{/if}}", EP_TEMPLATE_ERROR_SYNTAX,
                      "line 2: “{{else}}” appears twice for “{{#if A}}”");
  assert_parse_fails ("\n{{ }}", EP_TEMPLATE_ERROR_SYNTAX, "line 2: “{{ }}” names no column");
  assert_parse_fails ("\n{{#if }}x{{/if}}", EP_TEMPLATE_ERROR_SYNTAX,
                      "line 2: “{{#if }}” names no column");
  assert_parse_fails ("\n{{#each Rows}}", EP_TEMPLATE_ERROR_SYNTAX,
                      "line 2: “{{#each Rows}}” is not known; use “{{#if column}}”");
  assert_parse_fails ("\n{{ Name | upper }}", EP_TEMPLATE_ERROR_SYNTAX,
                      "line 2: “{{ Name | upper }}”: “upper” is not a filter here (known: "
                      "“default: \"text\"”, “raw” and “date: \"%d.%m.%Y\"”, each once)");
  assert_parse_fails ("\n{{ Name | raw | raw }}", EP_TEMPLATE_ERROR_SYNTAX,
                      "line 2: “{{ Name | raw | raw }}”: “raw” is not a filter here (known: "
                      "“default: \"text\"”, “raw” and “date: \"%d.%m.%Y\"”, each once)");
  assert_parse_fails ("\n{{ Due | date: \"%d %Q\" }}", EP_TEMPLATE_ERROR_SYNTAX,
                      "line 2: “{{ Due | date: \"%d %Q\" }}”: “%Q” is not a date pattern; use "
                      "%d, %e, %m, %B, %b, %Y, %y, %A, %a, %H, %I, %M, %S or %p");
  assert_parse_fails ("\n{{ Due | date }}", EP_TEMPLATE_ERROR_SYNTAX,
                      "line 2: “{{ Due | date }}”: “date” is not a filter here (known: "
                      "“default: \"text\"”, “raw” and “date: \"%d.%m.%Y\"”, each once)");
  assert_parse_fails ("\n{{ Name | default: \"x }}", EP_TEMPLATE_ERROR_SYNTAX,
                      "line 2: “{{ Name | default: \"x }}” is never closed with “}}”");
  assert_parse_fails ("Subject: \xff\n\n", EP_TEMPLATE_ERROR_SYNTAX,
                      "line 1: the template is not valid UTF-8 text");

  /* From parts, the field is named. */
  {
    g_autoptr(EpTemplateParts) parts = ep_template_parts_new ();
    g_autoptr(GError) error = NULL;
    g_autoptr(EpTemplate) tmpl = NULL;

    parts->subject = g_strdup ("Hi {{ Name");
    tmpl = ep_template_new_from_parts (parts, &error);
    g_assert_null (tmpl);
    g_assert_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_SYNTAX);
    g_assert_cmpstr (error->message, ==, "Subject field: “{{ Name” is never closed with “}}”");

    g_clear_error (&error);
    g_free (parts->subject);
    parts->subject = NULL;
    parts->body = g_strdup ("a\nb\n{{#if X}}");
    tmpl = ep_template_new_from_parts (parts, &error);
    g_assert_null (tmpl);
    g_assert_cmpstr (error->message, ==,
                     "line 3 of the text: “{{#if X}}” is never closed with “{{/if}}”");
  }
}

static void
test_unknown_column (void)
{
  const char *columns[] = { "Name", "Email", "First name", NULL };
  const char *values[] = { "Ann", "ann@example.org", "Ann" };
  g_autoptr(EpTable) table = one_row (columns, values);

  {
    g_autoptr(EpTemplate) tmpl = parse_ok ("To: {{ Emial }}\n\n{{ Name }}\n");
    g_autoptr(GError) error = NULL;
    g_autoptr(EpDraft) draft = NULL;

    g_assert_false (ep_template_check_columns (tmpl, table, &error));
    g_assert_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_UNKNOWN_COLUMN);
    g_assert_cmpstr (error->message, ==, "No column “Emial” in the data. Did you mean “Email”?");

    /* Rendering unchecked fails the same way. */
    g_clear_error (&error);
    draft = ep_template_render (tmpl, table, 0, NULL, &error);
    g_assert_null (draft);
    g_assert_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_UNKNOWN_COLUMN);
  }
  {
    g_autoptr(EpTemplate) tmpl = parse_ok ("\n{{ FIRST NAME }} {{ frist name }}\n");
    g_autoptr(GError) error = NULL;

    g_assert_false (ep_template_check_columns (tmpl, table, &error));
    g_assert_cmpstr (error->message, ==,
                     "No column “frist name” in the data. Did you mean “First name”?");
  }
  {
    g_autoptr(EpTemplate) tmpl = parse_ok ("\n{{#if Invoice number}}x{{/if}}\n");
    g_autoptr(GError) error = NULL;

    g_assert_false (ep_template_check_columns (tmpl, table, &error));
    g_assert_cmpstr (error->message, ==, "No column “Invoice number” in the data.");
  }
  {
    g_autoptr(EpTemplate) tmpl = parse_ok ("\n{{ X }}\n");
    g_autoptr(GError) error = NULL;

    g_assert_false (ep_template_check_columns (tmpl, table, &error));
    g_assert_cmpstr (error->message, ==, "No column “X” in the data.");
  }
  {
    g_autoptr(EpTemplate) tmpl = parse_ok ("To: {{ email }}\n\n{{ NAME }}\n");
    g_autoptr(GError) error = NULL;

    g_assert_true (ep_template_check_columns (tmpl, table, &error));
    g_assert_no_error (error);
  }
}

/* Markdown */

static GMimeMessage *
parse_message (EpOutgoing *outgoing)
{
  gsize size;
  const char *data = g_bytes_get_data (outgoing->data, &size);
  g_autoptr(GMimeStream) mem = g_mime_stream_mem_new_with_buffer (data, size);
  g_autoptr(GMimeStream) stream = g_mime_stream_filter_new (mem);
  GMimeFilter *dos2unix = g_mime_filter_dos2unix_new (FALSE);
  g_autoptr(GMimeParser) parser = NULL;
  GMimeMessage *message;

  g_mime_stream_filter_add (GMIME_STREAM_FILTER (stream), dos2unix);
  g_object_unref (dos2unix);
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  g_assert_nonnull (message);

  return message;
}

static void
test_markdown_escaping (void)
{
  const char *columns[] = { "Email", "Name", "Note", NULL };
  const char *values[] = {
    "ann@example.org",
    "*Ann* & <b>Co</b>",
    "[click](http://evil.example/) <script>alert(1)</script>\n"
    "# not a heading\n- not a list\nhttp://evil.example www.evil.example bob@evil.example "
    "<http://evil.example> ![img](http://evil.example/x.png) `code` \\*",
  };
  g_autoptr(EpTemplate) tmpl = NULL;
  g_autoptr(EpTable) table = one_row (columns, values);
  g_autoptr(EpDraft) draft = NULL;
  g_autoptr(EpOutgoing) outgoing = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *plain_text = NULL;
  g_autofree char *html_text = NULL;
  GMimeObject *root;

  tmpl = parse_ok ("To: {{ Email }}\nSubject: Hello {{ Name }}\nFormat: markdown\n\n"
                   "# Hello **{{ Name }}**\n\n{{ Note }}\n\n[Our site](https://school.example/)\n");
  draft = render_ok (tmpl, table, 0);

  g_assert_true (draft->markdown);
  /* The text part has the values as they are. */
  g_assert_nonnull (strstr (draft->body, "**" "*Ann* & <b>Co</b>" "**"));
  g_assert_nonnull (strstr (draft->body, "<script>alert(1)</script>"));
  g_assert_nonnull (draft->html_source);
  g_assert_nonnull (strstr (draft->html_source, "\\*Ann\\* \\& \\<b\\>Co\\<\\/b\\>"));
  g_assert_cmpstr (draft->subject, ==, "Hello *Ann* & <b>Co</b>");

  draft->from_address = g_strdup ("teacher@school.example");
  outgoing = ep_message_build (draft, NULL, &error);
  g_assert_no_error (error);
  message = parse_message (outgoing);

  root = g_mime_message_get_mime_part (message);
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (root),
                                              "multipart", "alternative"));
  plain_text = g_mime_text_part_get_text (GMIME_TEXT_PART (g_mime_multipart_get_part (GMIME_MULTIPART (root), 0)));
  html_text = g_mime_text_part_get_text (GMIME_TEXT_PART (g_mime_multipart_get_part (GMIME_MULTIPART (root), 1)));
  g_test_message ("HTML: %s", html_text);

  g_assert_nonnull (strstr (plain_text, "[click](http://evil.example/) <script>alert(1)</script>"));
  /* The template's own Markdown works… */
  g_assert_nonnull (strstr (html_text, "<h1>Hello <strong>"));
  g_assert_nonnull (strstr (html_text, "<a href=\"https://school.example/\">Our site</a>"));
  /* …the data's does not. */
  g_assert_nonnull (strstr (html_text, "*Ann* &amp; &lt;b&gt;Co&lt;/b&gt;</strong>"));
  g_assert_nonnull (strstr (html_text, "[click](http://evil.example/) &lt;script&gt;alert(1)&lt;/script&gt;"));
  g_assert_null (strstr (html_text, "<script>"));
  g_assert_null (strstr (html_text, "<b>"));
  g_assert_null (strstr (html_text, "<em>"));
  g_assert_null (strstr (html_text, "<img"));
  g_assert_null (strstr (html_text, "<code>"));
  g_assert_null (strstr (html_text, "<ul>"));
  g_assert_null (strstr (html_text, "evil.example\">"));
  g_assert_null (strstr (html_text, "mailto:"));
  {
    /* Exactly one link: the template's. */
    const char *p = html_text;
    guint links = 0;

    while ((p = strstr (p, "<a ")) != NULL)
      {
        links++;
        p++;
      }
    g_assert_cmpuint (links, ==, 1);
  }
  g_assert_nonnull (strstr (html_text, "# not a heading"));
  g_assert_nonnull (strstr (html_text, "\\*"));
}

/* Header injection */

static void
assert_injection (const char *tmpl_text,
                  const char *value,
                  const char *message)
{
  const char *columns[] = { "Email", "Name", NULL };
  const char *values[] = { "ann@example.org", value };
  g_autoptr(EpTable) table = NULL;
  g_autoptr(EpTemplate) tmpl = parse_ok (tmpl_text);
  g_autoptr(GError) error = NULL;
  g_autoptr(EpDraft) draft = NULL;
  const char *vals_email[] = { value, "Ann" };

  if (strstr (tmpl_text, "{{ Email }}") != NULL && strstr (tmpl_text, "{{ Name }}") == NULL)
    table = one_row (columns, vals_email);
  else
    table = one_row (columns, values);

  draft = ep_template_render (tmpl, table, 0, NULL, &error);
  g_assert_null (draft);
  g_assert_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_HEADER_INJECTION);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_header_injection (void)
{
  assert_injection ("To: {{ Email }}\nSubject: Hi {{ Name }}\n\n", "Ann\r\nBcc: evil@z.org",
                    "Row 2: The value in column “Name” contains a line break, which cannot "
                    "go into the Subject field");
  assert_injection ("To: {{ Email }}\nSubject: Hi {{ Name }}\n\n", "Ann\n",
                    "Row 2: The value in column “Name” contains a line break, which cannot "
                    "go into the Subject field");
  assert_injection ("To: {{ Email }}\n\n", "x@y.org\r\nBcc: evil@z.org",
                    "Row 2: The value in column “Email” contains a line break, which cannot "
                    "go into the To field");
  assert_injection ("To: {{ Email }}\n\n", "x@y.org\rBcc: evil@z.org",
                    "Row 2: The value in column “Email” contains a line break, which cannot "
                    "go into the To field");
  assert_injection ("To: a@example.org\nSubject: {{ Name }}\n\n", "Ann\xe2\x80\xa8" "Bcc: evil@z.org",
                    "Row 2: The value in column “Name” contains a line break, which cannot "
                    "go into the Subject field");
  assert_injection ("To: a@example.org\nSubject: {{ Name }}\n\n", "Ann\xe2\x80\xa9",
                    "Row 2: The value in column “Name” contains a line break, which cannot "
                    "go into the Subject field");
  assert_injection ("To: a@example.org\nSubject: {{ Name }}\n\n", "Ann\xc2\x85",
                    "Row 2: The value in column “Name” contains a control character (U+0085), "
                    "which cannot go into the Subject field");
  assert_injection ("To: a@example.org\nSubject: {{ Name }}\n\n", "Ann\x7f",
                    "Row 2: The value in column “Name” contains a control character (U+007F), "
                    "which cannot go into the Subject field");
  assert_injection ("To: a@example.org\nSubject: {{ Name }}\n\n", "Ann\tB",
                    "Row 2: The value in column “Name” contains a control character (U+0009), "
                    "which cannot go into the Subject field");
  assert_injection ("To: a@example.org\nCc: {{ Name }}\n\n", "b@example.org\n",
                    "Row 2: The value in column “Name” contains a line break, which cannot "
                    "go into the Cc field");
  assert_injection ("To: a@example.org\nBcc: {{ Name }}\n\n", "b@example.org\r\n",
                    "Row 2: The value in column “Name” contains a line break, which cannot "
                    "go into the Bcc field");
  assert_injection ("To: a@example.org\nReply-To: {{ Name }}\n\n", "b@example.org\nX: y",
                    "Row 2: The value in column “Name” contains a line break, which cannot "
                    "go into the Reply-To field");
  assert_injection ("To: a@example.org\nAttachment: {{ Name }}\n\n", "a.pdf\n",
                    "Row 2: The value in column “Name” contains a line break, which cannot "
                    "go into the Attachment field");

  /* The body takes line breaks; a value inside a false condition is not used. */
  {
    const char *columns[] = { "Email", "Name", "Flag", NULL };
    const char *values[] = { "ann@example.org", "Line 1\r\nLine 2\n", "" };
    g_autoptr(EpTable) table = one_row (columns, values);
    g_autoptr(EpTemplate) tmpl = parse_ok ("To: {{ Email }}\nSubject: x{{#if Flag}}{{ Name }}{{/if}}\n\n"
                                           "{{ Name }}");
    g_autoptr(EpDraft) draft = render_ok (tmpl, table, 0);

    g_assert_cmpstr (draft->body, ==, "Line 1\r\nLine 2\n");
    g_assert_cmpstr (draft->subject, ==, "x");
  }
}

/* Display names */

/* Asserts that @list holds exactly one mailbox, @name <@address>. */
static void
assert_one_mailbox (InternetAddressList *list,
                    const char          *name,
                    const char          *address)
{
  InternetAddress *ia;

  g_assert_cmpint (internet_address_list_length (list), ==, 1);
  ia = internet_address_list_get_address (list, 0);
  g_assert_true (INTERNET_ADDRESS_IS_MAILBOX (ia));
  g_assert_cmpstr (internet_address_get_name (ia), ==, name);
  g_assert_cmpstr (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (ia)), ==, address);
}

/* A value in the name part of an address field is a literal name: quotes,
 * commas, angle brackets and parentheses in the data are not address syntax. */
static void
test_display_names (void)
{
  const char *columns[] = { "Name", "Email", "Team", NULL };
  const char *cells[] = {
    "Åsa \"Ace\" Öberg", "asa@example.org", "Blue \"@B\" team",
    "Smith, John <john@evil.example>", "john@example.org", "Red (x) \\ team; a@evil.example",
    "Ann", "ann@example.org", "Green",
  };
  const char *names[] = {
    "Åsa \"Ace\" Öberg", "Smith, John <john@evil.example>", "Ann",
  };
  const char *addresses[] = { "asa@example.org", "john@example.org", "ann@example.org" };
  const char *teams[] = { "Blue \"@B\" team", "Red (x) \\ team; a@evil.example", "Green" };
  g_autoptr(EpTemplate) tmpl = NULL;
  g_autoptr(EpTable) table = table_new (columns, cells, 3);

  /* The Cc name is quoted by the template author; the To name is not. */
  tmpl = parse_ok ("To: {{ Name }} <{{ Email }}>\n"
                   "Cc: \"{{ Team }}\" <team@example.org>\n"
                   "Reply-To: {{#if Team}}{{ Team }} office{{/if}} <office@example.org>\n"
                   "Subject: Hello\n\nHello\n");

  for (guint row = 0; row < 3; row++)
    {
      g_autoptr(EpDraft) draft = render_ok (tmpl, table, row);
      g_autoptr(EpOutgoing) outgoing = NULL;
      g_autoptr(GMimeMessage) message = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *reply_name = g_strconcat (teams[row], " office", NULL);

      g_test_message ("To: %s", (const char *) g_ptr_array_index (draft->to, 0));
      draft->from_address = g_strdup ("teacher@school.example");
      outgoing = ep_message_build (draft, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (outgoing);

      g_assert_cmpuint (g_strv_length (outgoing->recipients), ==, 2);
      g_assert_cmpstr (outgoing->recipients[0], ==, addresses[row]);
      g_assert_cmpstr (outgoing->recipients[1], ==, "team@example.org");

      message = parse_message (outgoing);
      assert_one_mailbox (g_mime_message_get_addresses (message, GMIME_ADDRESS_TYPE_TO),
                          names[row], addresses[row]);
      assert_one_mailbox (g_mime_message_get_addresses (message, GMIME_ADDRESS_TYPE_CC),
                          teams[row], "team@example.org");
      assert_one_mailbox (g_mime_message_get_reply_to (message),
                          reply_name, "office@example.org");
    }

  /* Validation reads the same names: nothing to report. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(EpMergeReport) report = ep_merge_validate (tmpl, table, NULL, "/base", NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (report->problems->len, ==, 0);
    g_assert_cmpuint (report->valid_rows->len, ==, 3);
  }

  /* A plain name stays as it was written, and a value that is the whole
   * field is still address syntax (a column may list several addresses). */
  {
    const char *email_columns[] = { "Email", NULL };
    const char *email_values[] = { "a@example.org, \"B, b\" <b@example.org>" };
    g_autoptr(EpTable) emails = one_row (email_columns, email_values);
    g_autoptr(EpTemplate) plain = parse_ok ("To: {{ Email }}\n\nHello\n");
    g_autoptr(EpDraft) draft = render_ok (plain, emails, 0);
    g_autoptr(EpDraft) ann = render_ok (tmpl, table, 2);

    g_assert_cmpstr (g_ptr_array_index (ann->to, 0), ==, "Ann <ann@example.org>");
    g_assert_cmpstr (g_ptr_array_index (draft->to, 0), ==, email_values[0]);
  }
}

/* Attachments */

static void
test_attachments (void)
{
  const char *columns[] = { "Email", "Invoice", "Extra", NULL };
  const char *cells[] = {
    "a@example.org", "inv-1", "",
    "b@example.org", "inv-2", "/tmp/x/../abs.pdf",
    "c@example.org", "", "  ",
  };
  g_autofree char *dir = NULL;
  g_autoptr(EpTemplate) tmpl = NULL;
  g_autoptr(EpTable) table = table_new (columns, cells, 3);
  g_autoptr(GError) error = NULL;

  dir = g_dir_make_tmp ("epistle-merge-XXXXXX", &error);
  g_assert_no_error (error);

  tmpl = parse_ok ("To: {{ Email }}\n"
                   "Attachment: invoices/{{ Invoice }}.pdf\n"
                   "Attachment: {{ Extra }}\n"
                   "Attachment: {{#if Invoice}}../shared/terms.pdf{{/if}}\n"
                   "\nHello\n");

  {
    g_autoptr(EpDraft) draft = ep_template_render (tmpl, table, 0, dir, &error);
    g_autofree char *want0 = g_build_filename (dir, "invoices", "inv-1.pdf", NULL);
    g_autofree char *parent = g_path_get_dirname (dir);
    g_autofree char *want1 = g_build_filename (parent, "shared", "terms.pdf", NULL);

    g_assert_no_error (error);
    g_assert_cmpuint (draft->attachments->len, ==, 2);
    g_assert_cmpstr (g_ptr_array_index (draft->attachments, 0), ==, want0);
    g_assert_cmpstr (g_ptr_array_index (draft->attachments, 1), ==, want1);
    for (guint i = 0; i < draft->attachments->len; i++)
      g_assert_true (g_path_is_absolute (g_ptr_array_index (draft->attachments, i)));
  }
  {
    g_autoptr(EpDraft) draft = ep_template_render (tmpl, table, 1, dir, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (draft->attachments->len, ==, 3);
    g_assert_cmpstr (g_ptr_array_index (draft->attachments, 1), ==, "/tmp/abs.pdf");
  }
  {
    /* Blank column: the line is skipped, the fixed text around it is not. */
    g_autoptr(EpDraft) draft = ep_template_render (tmpl, table, 2, dir, &error);
    g_autofree char *want = g_build_filename (dir, "invoices", ".pdf", NULL);

    g_assert_no_error (error);
    g_assert_cmpuint (draft->attachments->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (draft->attachments, 0), ==, want);
  }

  g_rmdir (dir);
}

/* Text and parts */

static void
assert_same_parts (const EpTemplateParts *a,
                   const EpTemplateParts *b)
{
  g_assert_cmpstr (a->to, ==, b->to);
  g_assert_cmpstr (a->cc, ==, b->cc);
  g_assert_cmpstr (a->bcc, ==, b->bcc);
  g_assert_cmpstr (a->reply_to, ==, b->reply_to);
  g_assert_cmpstr (a->subject, ==, b->subject);
  g_assert_cmpstr (a->body, ==, b->body);
  g_assert_cmpint (a->markdown, ==, b->markdown);
  g_assert_cmpuint (a->attachments->len, ==, b->attachments->len);
  for (guint i = 0; i < a->attachments->len; i++)
    g_assert_cmpstr (g_ptr_array_index (a->attachments, i), ==,
                     g_ptr_array_index (b->attachments, i));
}

static void
test_round_trip (void)
{
  const char *source =
    "To: {{ Name }} <{{ Email }}>\n"
    "Cc: boss@example.org\n"
    "Reply-To: office@example.org\n"
    "Subject: Marks, {{ First name | default: 'there' }}\n"
    "Attachment: files/{{ File }}\n"
    "Attachment: terms.pdf\n"
    "Format: markdown\n"
    "\n"
    "\n"
    "Dear {{ Name }},\n"
    "{{#if Note}}Note: {{ Note }}{{else}}Nothing to add.{{/if}} \\{{ literal }}\n";
  g_autoptr(EpTemplate) tmpl = parse_ok (source);
  g_autofree char *text = ep_template_to_text (tmpl);
  g_autoptr(EpTemplate) again = parse_ok (text);
  g_autofree char *text2 = ep_template_to_text (again);

  assert_same_parts (ep_template_get_parts (tmpl), ep_template_get_parts (again));
  g_assert_cmpstr (text, ==, text2);
  g_assert_cmpstr (text, ==, source);

  /* From parts (the wizard), with a line break typed into the subject. */
  {
    g_autoptr(EpTemplateParts) parts = ep_template_parts_new ();
    g_autoptr(GError) error = NULL;
    g_autoptr(EpTemplate) from_parts = NULL;
    g_autoptr(EpTemplate) reparsed = NULL;
    g_autofree char *out = NULL;

    parts->to = g_strdup ("{{ Email }}");
    parts->subject = g_strdup ("Two\nlines");
    parts->body = g_strdup ("Hello {{ Name }}\n");
    g_ptr_array_add (parts->attachments, g_strdup ("{{ File }}"));
    from_parts = ep_template_new_from_parts (parts, &error);
    g_assert_no_error (error);

    out = ep_template_to_text (from_parts);
    g_assert_cmpstr (out, ==, "To: {{ Email }}\nSubject: Two lines\nAttachment: {{ File }}\n\nHello {{ Name }}\n");
    reparsed = parse_ok (out);
    assert_same_parts (ep_template_get_parts (from_parts), ep_template_get_parts (reparsed));
    g_assert_cmpstr (ep_template_get_parts (from_parts)->cc, ==, "");
  }
}

static void
test_from_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("epistle-merge-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "t.txt", NULL);
  g_autoptr(EpTemplate) tmpl = NULL;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, "Subject: {{ A }}\r\n\r\nB\r\n", -1, &error));
  tmpl = ep_template_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ep_template_get_parts (tmpl)->body, ==, "B\n");
  g_clear_pointer (&tmpl, ep_template_unref);

  g_assert_true (g_file_set_contents (path, "Subject: x\nBad\n", -1, &error));
  tmpl = ep_template_new_from_file (path, &error);
  g_assert_null (tmpl);
  g_assert_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_SYNTAX);
  g_assert_true (g_str_has_suffix (error->message, "line 2: “Bad” is not a header such as "
                                   "“Subject: …”; a blank line must separate the headers from the text"));
  g_assert_nonnull (strstr (error->message, "t.txt"));

  g_unlink (path);
  g_rmdir (dir);
}

/* Rendering speed: parse once, render many rows. */
static void
test_render_speed (void)
{
  const char *columns[] = { "Email", "Name", "Note", "Invoice", NULL };
  g_autoptr(EpTable) table = ep_table_new (columns);
  g_autoptr(EpTemplate) tmpl = NULL;
  guint n = g_test_slow () ? 100000 : 20000;
  gint64 start;
  double seconds;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *email = g_strdup_printf ("user%u@example.org", i);
      g_autofree char *name = g_strdup_printf ("Person %u", i);
      g_autofree char *invoice = g_strdup_printf ("inv-%u", i);
      const char *values[] = { email, name, i % 3 ? "A note *here*" : "", invoice };

      ep_table_append_row (table, i + 2, values, 4);
    }

  tmpl = parse_ok ("To: {{ Name }} <{{ Email }}>\nSubject: Invoice {{ Invoice }} for {{ Name }}\n"
                   "Attachment: invoices/{{ Invoice }}.pdf\nFormat: markdown\n\n"
                   "Dear {{ Name | default: \"customer\" }},\n\n"
                   "{{#if Note}}**Note:** {{ Note }}{{else}}No note.{{/if}}\n\n"
                   "Please find invoice {{ Invoice }} attached.\n\nRegards\n");

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(EpDraft) draft = ep_template_render (tmpl, table, i, "/srv/merge", NULL);
      g_assert_nonnull (draft);
    }
  seconds = (g_get_monotonic_time () - start) / 1e6;
  /* A figure for the log, not an assertion: timings belong in
   * tests/bench, and a loaded or sanitized run is slower. */
  g_test_message ("%u rows rendered in %.3f s (%.0f rows/s)", n, seconds, n / seconds);
}

/* One template, two tables with the columns in another order, several
 * threads: every render uses the right table's columns. */
typedef struct
{
  EpTemplate *tmpl;
  EpTable    *tables[2];
} ThreadsData;

static gpointer
render_thread (gpointer user_data)
{
  ThreadsData *data = user_data;

  for (guint i = 0; i < 2000; i++)
    {
      EpTable *table = data->tables[(i + GPOINTER_TO_UINT (g_thread_self ())) % 2];
      g_autoptr(EpDraft) draft = ep_template_render (data->tmpl, table, 0, NULL, NULL);

      g_assert_nonnull (draft);
      g_assert_cmpstr (draft->subject, ==, "Ann <ann@example.org>");
    }

  return NULL;
}

static void
test_threads (void)
{
  const char *columns_a[] = { "Name", "Email", NULL };
  const char *values_a[] = { "Ann", "ann@example.org" };
  const char *columns_b[] = { "email", "Other", "NAME", NULL };
  const char *values_b[] = { "ann@example.org", "x", "Ann" };
  g_autoptr(EpTemplate) tmpl = parse_ok ("Subject: {{ Name }} <{{ Email }}>\n\n");
  g_autoptr(EpTable) a = one_row (columns_a, values_a);
  g_autoptr(EpTable) b = one_row (columns_b, values_b);
  ThreadsData data = { tmpl, { a, b } };
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("render", render_thread, &data);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
}

/* Row ranges */

static void
test_ranges_good (void)
{
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(EpRowRanges) r = ep_row_ranges_parse ("2-10,15,40-", &error);

    g_assert_no_error (error);
    g_assert_false (ep_row_ranges_contains (r, 1));
    g_assert_true (ep_row_ranges_contains (r, 2));
    g_assert_true (ep_row_ranges_contains (r, 10));
    g_assert_false (ep_row_ranges_contains (r, 11));
    g_assert_true (ep_row_ranges_contains (r, 15));
    g_assert_false (ep_row_ranges_contains (r, 39));
    g_assert_true (ep_row_ranges_contains (r, 40));
    g_assert_true (ep_row_ranges_contains (r, 100000));
    g_assert_true (ep_row_ranges_contains (r, G_MAXUINT));
  }
  {
    g_autoptr(EpRowRanges) r = ep_row_ranges_parse ("  -5 , 7 - 8 ,, 12 ,", &error);

    g_assert_no_error (error);
    g_assert_true (ep_row_ranges_contains (r, 1));
    g_assert_true (ep_row_ranges_contains (r, 5));
    g_assert_false (ep_row_ranges_contains (r, 6));
    g_assert_true (ep_row_ranges_contains (r, 7));
    g_assert_true (ep_row_ranges_contains (r, 8));
    g_assert_true (ep_row_ranges_contains (r, 12));
    g_assert_false (ep_row_ranges_contains (r, 13));
  }
  {
    g_autoptr(EpRowRanges) all = ep_row_ranges_parse (NULL, &error);
    g_autoptr(EpRowRanges) empty = ep_row_ranges_parse ("  ", &error);

    g_assert_no_error (error);
    g_assert_nonnull (all);
    g_assert_nonnull (empty);
    g_assert_true (ep_row_ranges_contains (all, 2));
    g_assert_true (ep_row_ranges_contains (empty, 99));
    g_assert_true (ep_row_ranges_contains (NULL, 3));
  }
  {
    g_autoptr(EpRowRanges) r = ep_row_ranges_parse ("7-7", &error);

    g_assert_no_error (error);
    g_assert_true (ep_row_ranges_contains (r, 7));
    g_assert_false (ep_row_ranges_contains (r, 8));
  }
}

static void
test_ranges_bad (void)
{
  static const struct
  {
    const char *text;
    const char *message;
  } cases[] = {
    { "10-2", "Rows “10-2”: the first row comes after the last" },
    { "2-10, x", "Rows “x”: expected a row number such as “2” or a range such as “2-10”" },
    { "0", "Rows “0”: expected a row number such as “2” or a range such as “2-10”" },
    { "0-5", "Rows “0-5”: row numbers are whole numbers from 1" },
    { "3-", NULL },
    { "-", "Rows “-”: a range needs a first or a last row" },
    { "1-2-3", "Rows “1-2-3”: a range has one “-”" },
    { "2.5", "Rows “2.5”: expected a row number such as “2” or a range such as “2-10”" },
    { "+3", "Rows “+3”: expected a row number such as “2” or a range such as “2-10”" },
    { "5 6", "Rows “5 6”: expected a row number such as “2” or a range such as “2-10”" },
    { "2-a", "Rows “2-a”: row numbers are whole numbers from 1" },
    { "99999999999999999999", "Rows “99999999999999999999”: expected a row number such as "
                              "“2” or a range such as “2-10”" },
    { ",", "Rows “,”: no row numbers" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EpRowRanges) r = ep_row_ranges_parse (cases[i].text, &error);

      if (cases[i].message == NULL)
        {
          g_assert_no_error (error);
          g_assert_nonnull (r);
          continue;
        }
      g_assert_null (r);
      g_assert_error (error, EP_MERGE_ERROR, EP_MERGE_ERROR_RANGES);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

/* Validation */

typedef struct
{
  guint              row_number;
  EpMergeProblemKind kind;
} Expected;

static void
test_validate_report (void)
{
  const char *columns[] = { "Name", "Email", "File", NULL };
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *missing = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EpTemplate) tmpl = NULL;
  g_autoptr(EpTable) table = NULL;
  g_autoptr(EpMergeReport) report = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected_text = NULL;

  dir = g_dir_make_tmp ("epistle-merge-XXXXXX", &error);
  g_assert_no_error (error);
  file = g_build_filename (dir, "a.pdf", NULL);
  folder = g_build_filename (dir, "folder.pdf", NULL);
  missing = g_build_filename (dir, "missing.pdf", NULL);
  g_assert_true (g_file_set_contents (file, "%PDF-1.4\n", -1, &error));
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);

  {
    const char *cells[] = {
      "Ann", "ann@example.org", "a.pdf",            /* 2: fine */
      "Bob", "bob@@example.org", "",                /* 3: invalid address */
      "Cy", "cy@example.org", "missing.pdf",        /* 4: missing attachment */
      "Ann again", "ANN@Example.org", "",           /* 5: duplicate of row 2 */
      "Dee", "", "",                                /* 6: blank recipient */
      "Eve\r\nBcc: x@evil.example", "eve@example.org", "",  /* 7: header injection */
      "Fay", "fay@example", "folder.pdf",           /* 8: invalid + unreadable */
      "Gil", "gil@example.org", "",                 /* 9: fine */
      "", "", "",                                   /* 10: blank row */
      "Hal", "ann@example.org", "",                 /* 11: duplicate of row 2 too */
    };
    table = table_new (columns, cells, 10);
  }

  tmpl = parse_ok ("To: {{ Name }} <{{ Email }}>\n"
                   "Subject: For {{ Name }}\n"
                   "Attachment: {{ File }}\n"
                   "\nHello {{ Name }}\n");

  report = ep_merge_validate (tmpl, table, NULL, dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_assert_cmpuint (report->n_selected, ==, 10);

  {
    static const Expected expected[] = {
      { 3, EP_MERGE_PROBLEM_INVALID_ADDRESS },
      { 4, EP_MERGE_PROBLEM_MISSING_ATTACHMENT },
      { 5, EP_MERGE_PROBLEM_DUPLICATE_RECIPIENT },
      { 6, EP_MERGE_PROBLEM_NO_RECIPIENT },
      { 7, EP_MERGE_PROBLEM_HEADER_INJECTION },
      { 8, EP_MERGE_PROBLEM_INVALID_ADDRESS },
      { 8, EP_MERGE_PROBLEM_UNREADABLE_ATTACHMENT },
      { 10, EP_MERGE_PROBLEM_NO_RECIPIENT },
      { 11, EP_MERGE_PROBLEM_DUPLICATE_RECIPIENT },
    };

    for (guint i = 0; i < report->problems->len; i++)
      {
        EpMergeProblem *p = g_ptr_array_index (report->problems, i);
        g_test_message ("row %u kind %d: %s", p->row_number, p->kind, p->message);
      }
    g_assert_cmpuint (report->problems->len, ==, G_N_ELEMENTS (expected));
    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        EpMergeProblem *p = g_ptr_array_index (report->problems, i);

        g_assert_cmpuint (p->row_number, ==, expected[i].row_number);
        g_assert_cmpuint (p->row, ==, expected[i].row_number - 2);
        g_assert_cmpint (p->kind, ==, expected[i].kind);
      }
  }

  g_assert_cmpuint (report->valid_rows->len, ==, 2);
  g_assert_cmpuint (g_array_index (report->valid_rows, guint, 0), ==, 0);
  g_assert_cmpuint (g_array_index (report->valid_rows, guint, 1), ==, 7);

  {
    g_autoptr(GPtrArray) row8 = ep_merge_report_row_problems (report, 6);
    g_autoptr(GPtrArray) row2 = ep_merge_report_row_problems (report, 0);
    g_autoptr(GPtrArray) row11 = ep_merge_report_row_problems (report, 9);

    g_assert_cmpuint (row8->len, ==, 2);
    g_assert_cmpuint (row2->len, ==, 0);
    g_assert_cmpuint (row11->len, ==, 1);
    g_assert_cmpstr (((EpMergeProblem *) g_ptr_array_index (row11, 0))->message, ==,
                     "“ann@example.org”: same address as row 2");
  }

  text = ep_merge_report_format (report);
  g_test_message ("%s", text);
  expected_text = g_strdup_printf (
    "Row 3: “bob@@example.org” is not a valid email address: %s\n"
    "Row 4: Attachment “%s” not found\n"
    "Row 5: “ANN@Example.org”: same address as row 2\n"
    "Row 6: No recipient: column “Email” is empty\n"
    "Row 7: The value in column “Name” contains a line break, which cannot go into the To field\n"
    "Row 8: “fay@example” is not a valid email address: %s\n"
    "Row 8: Attachment “%s” is a folder, not a file\n"
    "Row 10: No recipient: To, Cc and Bcc are all empty\n"
    "Row 11: “ann@example.org”: same address as row 2\n"
    "8 of 10 rows have problems; 2 can be sent.\n",
    strstr (((EpMergeProblem *) g_ptr_array_index (report->problems, 0))->message, ": ") + 2,
    missing,
    strstr (((EpMergeProblem *) g_ptr_array_index (report->problems, 5))->message, ": ") + 2,
    folder);
  g_assert_cmpstr (text, ==, expected_text);
  g_assert_true (g_str_has_prefix (((EpMergeProblem *) g_ptr_array_index (report->problems, 0))->message,
                                   "“bob@@example.org” is not a valid email address: "));

  /* A selection: only rows 2, 5 and 9 are looked at; 5 still repeats 2. */
  {
    g_autoptr(EpRowRanges) ranges = ep_row_ranges_parse ("2, 5, 9-9", &error);
    g_autoptr(EpMergeReport) some = NULL;
    g_autofree char *some_text = NULL;

    g_assert_no_error (error);
    some = ep_merge_validate (tmpl, table, ranges, dir, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (some->n_selected, ==, 3);
    g_assert_cmpuint (some->problems->len, ==, 1);
    g_assert_cmpuint (some->valid_rows->len, ==, 2);
    some_text = ep_merge_report_format (some);
    g_assert_cmpstr (some_text, ==,
                     "Row 5: “ANN@Example.org”: same address as row 2\n"
                     "1 of 3 rows has problems; 2 can be sent.\n");
  }
  /* Without row 2, row 5 is not a duplicate. */
  {
    g_autoptr(EpRowRanges) ranges = ep_row_ranges_parse ("5,9", &error);
    g_autoptr(EpMergeReport) some = ep_merge_validate (tmpl, table, ranges, dir, NULL, &error);
    g_autofree char *some_text = ep_merge_report_format (some);

    g_assert_no_error (error);
    g_assert_cmpuint (some->problems->len, ==, 0);
    g_assert_cmpstr (some_text, ==, "No problems: all 2 rows can be sent.\n");
  }
  {
    g_autoptr(EpRowRanges) ranges = ep_row_ranges_parse ("6", &error);
    g_autoptr(EpMergeReport) some = ep_merge_validate (tmpl, table, ranges, dir, NULL, &error);
    g_autofree char *some_text = ep_merge_report_format (some);

    g_assert_cmpstr (some_text, ==, "Row 6: No recipient: column “Email” is empty\n"
                                    "1 of 1 rows has problems; none can be sent.\n");
  }
  {
    g_autoptr(EpRowRanges) ranges = ep_row_ranges_parse ("500-", &error);
    g_autoptr(EpMergeReport) none = ep_merge_validate (tmpl, table, ranges, dir, NULL, &error);
    g_autofree char *none_text = ep_merge_report_format (none);

    g_assert_cmpuint (none->n_selected, ==, 0);
    g_assert_cmpstr (none_text, ==, "No rows are selected.\n");
  }

  g_unlink (file);
  g_rmdir (folder);
  g_rmdir (dir);
}

static void
test_validate_unreadable (void)
{
  const char *columns[] = { "Email", NULL };
  const char *values[] = { "ann@example.org" };
  g_autoptr(EpTable) table = one_row (columns, values);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  g_autoptr(EpTemplate) tmpl = NULL;
  g_autoptr(EpMergeReport) report = NULL;
  EpMergeProblem *problem;

  if (geteuid () == 0)
    {
      g_test_skip ("root can read any file");
      return;
    }

  dir = g_dir_make_tmp ("epistle-merge-XXXXXX", &error);
  file = g_build_filename (dir, "secret.pdf", NULL);
  g_assert_true (g_file_set_contents (file, "x", -1, &error));
  g_assert_cmpint (g_chmod (file, 0), ==, 0);

  tmpl = parse_ok ("To: {{ Email }}\nAttachment: secret.pdf\n\n");
  report = ep_merge_validate (tmpl, table, NULL, dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->problems->len, ==, 1);
  problem = g_ptr_array_index (report->problems, 0);
  g_assert_cmpint (problem->kind, ==, EP_MERGE_PROBLEM_UNREADABLE_ATTACHMENT);
  g_assert_nonnull (strstr (problem->message, file));

  g_unlink (file);
  g_rmdir (dir);
}

static void
test_validate_template_errors (void)
{
  const char *columns[] = { "Name", "Email", NULL };
  const char *values[] = { "Ann", "ann@example.org" };
  g_autoptr(EpTable) table = one_row (columns, values);
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(EpTemplate) tmpl = parse_ok ("To: {{ Emial }}\n\n");
    g_autoptr(EpMergeReport) report = ep_merge_validate (tmpl, table, NULL, NULL, NULL, &error);

    g_assert_null (report);
    g_assert_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_UNKNOWN_COLUMN);
    g_assert_cmpstr (error->message, ==, "No column “Emial” in the data. Did you mean “Email”?");
  }
  {
    g_autoptr(EpTemplate) tmpl = parse_ok ("To: {{ Email }}\n\n");
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(EpMergeReport) report = NULL;

    g_clear_error (&error);
    g_cancellable_cancel (cancellable);
    report = ep_merge_validate (tmpl, table, NULL, NULL, cancellable, &error);
    g_assert_null (report);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
  {
    /* Cc alone is a recipient; an invalid Reply-To is reported. */
    g_autoptr(EpTemplate) tmpl = parse_ok ("Cc: {{ Email }}\nReply-To: {{ Name }}\n\n");
    g_autoptr(EpMergeReport) report = NULL;
    EpMergeProblem *problem;

    g_clear_error (&error);
    report = ep_merge_validate (tmpl, table, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (report->problems->len, ==, 1);
    problem = g_ptr_array_index (report->problems, 0);
    g_assert_cmpint (problem->kind, ==, EP_MERGE_PROBLEM_INVALID_ADDRESS);
    g_assert_nonnull (strstr (problem->message, "Ann"));
  }
  {
    g_autoptr(EpTemplate) tmpl = parse_ok ("Subject: hi\n\n");
    g_autoptr(EpMergeReport) report = ep_merge_validate (tmpl, table, NULL, NULL, NULL, &error);
    EpMergeProblem *problem = g_ptr_array_index (report->problems, 0);

    g_assert_cmpint (problem->kind, ==, EP_MERGE_PROBLEM_NO_RECIPIENT);
    g_assert_cmpstr (problem->message, ==, "No recipient: To, Cc and Bcc are all empty");
  }
}

static void
test_kind_labels (void)
{
  for (int kind = EP_MERGE_PROBLEM_NO_RECIPIENT; kind <= EP_MERGE_PROBLEM_TEMPLATE; kind++)
    {
      const char *label = ep_merge_problem_kind_label (kind);

      g_assert_nonnull (label);
      g_assert_cmpuint (strlen (label), >, 0);
    }
  g_assert_cmpstr (ep_merge_problem_kind_label (EP_MERGE_PROBLEM_INVALID_ADDRESS), ==,
                   "Invalid addresses");
  g_assert_cmpstr (ep_merge_problem_kind_label (EP_MERGE_PROBLEM_MISSING_ATTACHMENT), ==,
                   "Missing attachments");
}

/* Hostile templates (issue 16): each is refused at once with an error
 * that says what is wrong; none recurses 100,000 deep (which crashed). */
static char *
nested (guint depth)
{
  GString *text = g_string_new ("To: {{ Email }}\nSubject: Hi\n\n");

  for (guint i = 0; i < depth; i++)
    g_string_append (text, "{{#if Name}}");
  g_string_append (text, "x");
  for (guint i = 0; i < depth; i++)
    g_string_append (text, "{{/if}}");
  g_string_append_c (text, '\n');

  return g_string_free (text, FALSE);
}

static void
test_hostile_nesting (void)
{
  static const guint depths[] = { 10000, 100000 };
  g_autofree char *deepest = nested (EP_TEMPLATE_MAX_DEPTH);
  g_autoptr(EpTemplate) ok = NULL;
  g_autoptr(GError) error = NULL;

  ok = ep_template_parse (deepest, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ok);

  for (guint i = 0; i < G_N_ELEMENTS (depths); i++)
    {
      g_autofree char *text = nested (depths[i]);

      g_assert_null (ep_template_parse (text, &error));
      g_assert_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_SYNTAX);
      g_assert_cmpstr (error->message, ==, "line 4: “{{#if Name}}” is nested more than 100 deep");
      g_clear_error (&error);
    }
}

static void
test_hostile_files (void)
{
  g_autofree char *dir = g_dir_make_tmp ("epistle-merge-XXXXXX", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo.txt", NULL);
  g_autofree char *folder = g_build_filename (dir, "folder.txt", NULL);
  g_autofree char *big = g_build_filename (dir, "big.txt", NULL);
  g_autoptr(GString) text = g_string_new ("To: {{ Email }}\nSubject: Hi\n\n");
  g_autoptr(GError) error = NULL;

  /* A FIFO is never opened (it would block until written to). */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_null (ep_template_new_from_file (fifo, &error));
  g_assert_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_SYNTAX);
  g_assert_nonnull (strstr (error->message, "fifo.txt is not a regular file"));
  g_clear_error (&error);

  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  g_assert_null (ep_template_new_from_file (folder, &error));
  g_assert_nonnull (strstr (error->message, "folder.txt is a folder"));
  g_clear_error (&error);

  /* 50 MB: refused by its size, in the file and as text. */
  while (text->len < 50 * 1000 * 1000)
    g_string_append (text, "A long line of a long letter, written again and again.\n");
  g_assert_true (g_file_set_contents (big, text->str, text->len, NULL));
  g_assert_null (ep_template_new_from_file (big, &error));
  g_assert_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "big.txt is larger than 8 MiB"));
  g_clear_error (&error);
  g_assert_null (ep_template_parse (text->str, &error));
  g_assert_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_TOO_LARGE);
  g_clear_error (&error);

  g_unlink (big);
  g_unlink (fifo);
  g_rmdir (folder);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  ep_core_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/merge/template/values", test_values);
  g_test_add_func ("/merge/template/default", test_default);
  g_test_add_func ("/merge/template/filters", test_filters);
  g_test_add_func ("/merge/template/if-else", test_if_else);
  g_test_add_func ("/merge/template/literal-braces", test_literal_braces);
  g_test_add_func ("/merge/template/headers", test_headers);
  g_test_add_func ("/merge/template/unknown-header", test_unknown_header);
  g_test_add_func ("/merge/template/syntax-errors", test_syntax_errors);
  g_test_add_func ("/merge/template/unknown-column", test_unknown_column);
  g_test_add_func ("/merge/template/markdown-escaping", test_markdown_escaping);
  g_test_add_func ("/merge/template/header-injection", test_header_injection);
  g_test_add_func ("/merge/template/display-names", test_display_names);
  g_test_add_func ("/merge/template/attachments", test_attachments);
  g_test_add_func ("/merge/template/round-trip", test_round_trip);
  g_test_add_func ("/merge/template/from-file", test_from_file);
  g_test_add_func ("/merge/template/render-speed", test_render_speed);
  g_test_add_func ("/merge/template/threads", test_threads);
  g_test_add_func ("/merge/ranges/good", test_ranges_good);
  g_test_add_func ("/merge/ranges/bad", test_ranges_bad);
  g_test_add_func ("/merge/validate/report", test_validate_report);
  g_test_add_func ("/merge/validate/unreadable", test_validate_unreadable);
  g_test_add_func ("/merge/validate/template-errors", test_validate_template_errors);
  g_test_add_func ("/merge/labels", test_kind_labels);
  g_test_add_func ("/merge/hostile/nesting", test_hostile_nesting);
  g_test_add_func ("/merge/hostile/files", test_hostile_files);

  return g_test_run ();
}
