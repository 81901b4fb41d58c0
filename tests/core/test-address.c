/* test-address.c: address parsing and validation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <epistle-core.h>

static void
test_valid (void)
{
  const char *valid[] = {
    "ann@example.com",
    "first.last@sub.example.co.uk",
    "a+tag@example.org",
    "o'brien@example.ie",
    "user_name-1@xn--bcher-kva.example",
    "jörg@bücher.example",
    "\"quoted person\"@example.com",
    "x@[192.0.2.1]",
    "x@[IPv6:2001:db8::1]",
    "!#$%&'*+-/=?^_`{|}~@example.com",
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;

      if (!ep_address_validate (valid[i], &error))
        g_error ("%s should be valid: %s", valid[i], error->message);
    }
}

static void
test_invalid (void)
{
  const struct { const char *address; const char *why; } invalid[] = {
    { "", "empty" },
    { "ann", "has no “@”" },
    { "ann@", "nothing after the “@”" },
    { "@example.com", "nothing before the “@”" },
    { "ann@@example.com", "more than one “@”" },
    { "ann@example", "has no dot" },
    { "ann@example..com", "empty part" },
    { "ann@.example.com", "empty part" },
    { "ann@example.com.", "empty part" },
    { "ann..b@example.com", "two dots in a row" },
    { ".ann@example.com", "starts or ends with a dot" },
    { "ann.@example.com", "starts or ends with a dot" },
    { "ann b@example.com", "contains a space" },
    { "ann@exa mple.com", "contains a space" },
    { "ann@-example.com", "starts or ends with “-”" },
    { "ann@exam_ple.com", "contains “_”" },
    { "ann@example.123", "ends in a number" },
    { "ann\r\nBcc: x@example.com", "control character" },
    { "ann(comment)@example.com", "“(” is not allowed" },
    { "<ann@example.com>", "contains “<”" },
    { "ann@[300.1.1.1]", "not an IP address" },
    { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com", "longer than 64" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;

      if (ep_address_validate (invalid[i].address, &error))
        g_error ("“%s” should be invalid", invalid[i].address);
      g_assert_error (error, EP_MAIL_ERROR, EP_MAIL_ERROR_INVALID_ADDRESS);
      if (strstr (error->message, invalid[i].why) == NULL)
        g_error ("“%s”: expected the reason “%s”, got “%s”", invalid[i].address,
                 invalid[i].why, error->message);
      /* The message names the address (except the empty one). */
      if (*invalid[i].address && strchr (invalid[i].address, '\r') == NULL)
        g_assert_nonnull (strstr (error->message, invalid[i].address));
    }
}

static void
test_list (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  const EpAddress *a;

  list = ep_address_list_parse ("Ann Example <ann@example.com>, bob@example.org, "
                                "\"Doe, Jane\" <jane@example.net>, "
                                "=?UTF-8?B?w4RubmU=?= <aenne@example.de>", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 4);

  a = g_ptr_array_index (list, 0);
  g_assert_cmpstr (a->name, ==, "Ann Example");
  g_assert_cmpstr (a->address, ==, "ann@example.com");
  a = g_ptr_array_index (list, 1);
  g_assert_null (a->name);
  g_assert_cmpstr (a->address, ==, "bob@example.org");
  a = g_ptr_array_index (list, 2);
  g_assert_cmpstr (a->name, ==, "Doe, Jane");
  a = g_ptr_array_index (list, 3);
  g_assert_cmpstr (a->name, ==, "Änne");

  /* Semicolons separate too; an unquoted “Last, First” name stays one person. */
  g_clear_pointer (&list, g_ptr_array_unref);
  list = ep_address_list_parse ("ann@example.com; bob@example.org;Doe, John <john@example.com>", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  a = g_ptr_array_index (list, 1);
  g_assert_cmpstr (a->address, ==, "bob@example.org");
  a = g_ptr_array_index (list, 2);
  g_assert_cmpstr (a->name, ==, "Doe, John");
  g_assert_cmpstr (a->address, ==, "john@example.com");

  /* An escaped quote does not end a quoted name; the “@” after it is text. */
  g_clear_pointer (&list, g_ptr_array_unref);
  list = ep_address_list_parse ("\"Lee \\\"@lee\\\" Park\" <lee@example.com>", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  a = g_ptr_array_index (list, 0);
  g_assert_cmpstr (a->name, ==, "Lee \"@lee\" Park");
  g_assert_cmpstr (a->address, ==, "lee@example.com");

  g_clear_pointer (&list, g_ptr_array_unref);
  list = ep_address_list_parse ("   ", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);
}

static void
test_list_invalid (void)
{
  const struct { const char *text; const char *named; } cases[] = {
    { "ann@example.com, bob@example", "bob@example" },
    { "ann@example.com, Bob <bob@example.org", "not closed with “>”" },
    { "Bob Student <bob@example", "not closed with “>”" },
    { "Ann <ann@example.com>, \"x@y\" <bob@@example.org>", "bob@@example.org" },
    { "ann@example.com\r\nBcc: evil@example.com", "line break" },
    { "Ann <ann@exa mple.com>", "ann@exa" },
    { "just some words", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) list = ep_address_list_parse (cases[i].text, &error);

      if (list != NULL)
        g_error ("“%s” should be refused, parsed %u addresses", cases[i].text, list->len);
      g_assert_error (error, EP_MAIL_ERROR, EP_MAIL_ERROR_INVALID_ADDRESS);
      if (strstr (error->message, cases[i].named) == NULL)
        g_error ("“%s”: the error should name “%s”: %s", cases[i].text, cases[i].named,
                 error->message);
    }
}

int
main (int    argc,
      char **argv)
{
  ep_core_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mail/address/valid", test_valid);
  g_test_add_func ("/mail/address/invalid", test_invalid);
  g_test_add_func ("/mail/address/list", test_list);
  g_test_add_func ("/mail/address/list-invalid", test_list_invalid);

  return g_test_run ();
}
