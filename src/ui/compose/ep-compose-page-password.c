/* ep-compose-page-password.c: Protect with a Password in Compose
 *
 * The third protection beside Sign and Encrypt, for recipients without a
 * certificate: the outbox encrypts the message for a password
 * (ep-pwmail.h) that the sender tells the recipients another way. It
 * excludes Encrypt (turning one on turns the other off) and may be
 * combined with Sign.
 *
 * The password is typed here, rated as it is typed (libpwquality, through
 * ep_password_strength ()), or generated; a weak one is sent only after
 * the person confirms it. It lives only in the entry: never in a draft
 * (no draft at all while this is on, as for Encrypt), never in GSettings
 * (not even whether the toggle was on: it starts off in every window),
 * never in a log. After a successful send the password and the hint go;
 * the toggle stays as it was, for the next message, which needs its own
 * password before Send turns on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-compose-page"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ep-compose-page-private.h"
#include "widgets/ep-a11y.h"

/* The strength bar's levels: 0 (nothing typed), then one per rating, each
 * an offset of the bar; its blocks take the offset's name as a style
 * class, coloured below. */
enum {
  LEVEL_NONE,
  LEVEL_WEAK,
  LEVEL_FAIR,
  LEVEL_STRONG,
};
#define OFFSET_WEAK   "weak"
#define OFFSET_FAIR   "fair"
#define OFFSET_STRONG "strong"

/* Adwaita colours only GTK's own offsets (and its "low" loses to the
 * accent colour): red, yellow, green here, from the theme's colours. */
static const char strength_css[] =
  "levelbar.password-strength > trough > block.weak { background-color: @error_bg_color; }\n"
  "levelbar.password-strength > trough > block.fair { background-color: @warning_bg_color; }\n"
  "levelbar.password-strength > trough > block.strong { background-color: @success_bg_color; }\n";

static const char *
password_text (EpComposePage *self)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->password_row));
}

static void
set_password_visible (EpComposePage *self,
                      gboolean       visible)
{
  GtkEditable *delegate = gtk_editable_get_delegate (GTK_EDITABLE (self->password_row));

  if (GTK_IS_TEXT (delegate))
    gtk_text_set_visibility (GTK_TEXT (delegate), visible);
}

/* As the core decides (ep_pwmail_protect ()), a little stricter: both
 * normalized, whatever the case. */
static gboolean
hint_contains_password (const char *hint,
                        const char *password)
{
  g_autofree char *hint_nfc = g_utf8_normalize (hint, -1, G_NORMALIZE_NFC);
  g_autofree char *hint_folded = NULL;
  char *password_nfc = g_utf8_normalize (password, -1, G_NORMALIZE_NFC);
  char *password_folded = NULL;
  gboolean contains = FALSE;

  if (hint_nfc != NULL && password_nfc != NULL)
    {
      hint_folded = g_utf8_casefold (hint_nfc, -1);
      password_folded = g_utf8_casefold (password_nfc, -1);
      contains = strstr (hint_folded, password_folded) != NULL;
    }
  ep_password_free (password_nfc);
  ep_password_free (password_folded);
  return contains;
}

static void
set_label (GtkLabel   *label,
           const char *text,
           const char *name)
{
  gtk_label_set_text (label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
  /* GTK 4.8 renames a label after its new text; keep the stable name. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
}

/* Rates what is typed, says why it is weak, and what stops a send. */
static void
update (EpComposePage *self)
{
  const char *password = password_text (self);
  const char *hint = gtk_editable_get_text (GTK_EDITABLE (self->hint_row));
  GtkWidget *label = GTK_WIDGET (self->strength_label);
  g_autoptr(GError) error = NULL;
  g_autofree char *advice = NULL;
  g_autofree char *text = NULL;
  const char *problem = NULL;
  const char *value_text = NULL;
  gboolean hint_bad = FALSE;
  guint level = LEVEL_NONE;

  self->password_valid = FALSE;
  self->password_weak = FALSE;
  gtk_widget_remove_css_class (label, "dim-label");
  gtk_widget_remove_css_class (label, "error");
  gtk_widget_remove_css_class (label, "success");

  if (*password == '\0')
    {
      text = g_strdup (_("The recipients need this password to read the message: tell it to "
                         "them another way, not by email."));
      gtk_widget_add_css_class (label, "dim-label");
    }
  else if (!ep_password_validate (password, -1, &error))
    problem = error->message;
  else
    {
      switch (ep_password_strength (password, NULL, &advice))
        {
        case EP_PASSWORD_WEAK:
          level = LEVEL_WEAK;
          value_text = _("Weak");
          /* Translators: %s is libpwquality's reason, such as “The password
           * is shorter than 8 characters” */
          text = g_strdup_printf (_("Weak password. %s"), advice ? advice : "");
          gtk_widget_add_css_class (label, "error");
          self->password_weak = TRUE;
          break;
        case EP_PASSWORD_FAIR:
          level = LEVEL_FAIR;
          value_text = _("Fair");
          /* Translators: %s says how to make the password stronger */
          text = g_strdup_printf (_("Fair password. %s"), advice ? advice : "");
          break;
        case EP_PASSWORD_STRONG:
        default:
          level = LEVEL_STRONG;
          value_text = _("Strong");
          text = g_strdup (_("Strong password"));
          gtk_widget_add_css_class (label, "success");
          break;
        }
      hint_bad = *hint != '\0' && hint_contains_password (hint, password);
      if (hint_bad)
        problem = _("The hint contains the password: anyone who reads the hint could open the "
                    "message.");
      self->password_valid = !hint_bad;
    }

  if (problem != NULL && !hint_bad)
    gtk_widget_add_css_class (GTK_WIDGET (self->password_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->password_row), "error");
  if (hint_bad)
    gtk_widget_add_css_class (GTK_WIDGET (self->hint_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->hint_row), "error");

  gtk_level_bar_set_value (self->strength_bar, level);
  if (value_text != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->strength_bar),
                                    GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, value_text, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self->strength_bar),
                                   GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT);
  set_label (self->strength_label, text, _("Password Strength"));
  set_label (self->password_error_label, problem, _("Password Problem"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->copy_password_button), *password != '\0');

  if (advice != NULL)
    memset (advice, 0, strlen (advice));
  _ep_compose_page_actions_update (self);
}

/* libadwaita 1.2's AdwPasswordEntryRow never disconnects from its text's
 * "notify::has-focus": if the row goes while its text has the focus (the
 * window closes), the text loses the focus after the row is gone and the
 * handler crashes. So the focus leaves the row first. */
static void
release_focus (EpComposePage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;

  if (focus != NULL &&
      (focus == GTK_WIDGET (self->password_row) ||
       gtk_widget_is_ancestor (focus, GTK_WIDGET (self->password_row))))
    gtk_root_set_focus (root, NULL);
}

/* ---- signal callbacks ---------------------------------------------------- */

static void
on_password_toggled_cb (EpComposePage *self)
{
  gboolean on = gtk_toggle_button_get_active (self->password_toggle);

  /* Either certificates or a password. */
  if (on && gtk_toggle_button_get_active (self->encrypt_toggle))
    gtk_toggle_button_set_active (self->encrypt_toggle, FALSE);
  if (!on)
    release_focus (self);
  gtk_widget_set_visible (self->password_box, on);
  update (self);
  _ep_compose_page_protect_check (self);
  /* On: the plain draft goes (see save_draft ()). */
  _ep_compose_page_schedule_save (self);
}

static void
on_encrypt_toggled_cb (EpComposePage *self)
{
  if (gtk_toggle_button_get_active (self->encrypt_toggle))
    gtk_toggle_button_set_active (self->password_toggle, FALSE);
}

static void
on_generate_clicked_cb (EpComposePage *self)
{
  char *password = ep_password_generate ();

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
  ep_password_free (password);
  /* Shown, to be read out or copied. */
  set_password_visible (self, TRUE);
}

static void
on_copy_clicked_cb (EpComposePage *self)
{
  const char *password = password_text (self);

  if (*password == '\0')
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), password);
  _ep_compose_page_toast (self, _("Password copied"));
}

static void
on_weak_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     EpComposePage    *self)
{
  if (g_strcmp0 (response, "send") != 0)
    return;

  self->weak_confirmed = TRUE;
  if (self->weak_not_before < 0)
    _ep_compose_page_send (self);
  else
    _ep_compose_page_send_at (self, self->weak_not_before);
  self->weak_confirmed = FALSE;
}

/* ---- private API --------------------------------------------------------- */

gboolean
_ep_compose_page_password_on (EpComposePage *self)
{
  return gtk_toggle_button_get_active (self->password_toggle);
}

gboolean
_ep_compose_page_password_ready (EpComposePage *self)
{
  return !_ep_compose_page_password_on (self) || self->password_valid;
}

void
_ep_compose_page_password_apply (EpComposePage *self,
                                 EpDraft       *draft)
{
  const char *hint = gtk_editable_get_text (GTK_EDITABLE (self->hint_row));

  if (!_ep_compose_page_password_on (self))
    return;
  draft->encrypt = FALSE;
  draft->password = g_strdup (password_text (self));
  draft->password_hint = *hint != '\0' ? g_strdup (hint) : NULL;
  draft->remember_password = gtk_switch_get_active (self->remember_switch);
}

void
_ep_compose_page_password_offer (EpComposePage *self,
                                 const char    *password)
{
  if (!_ep_compose_page_password_on (self) || *password_text (self) != '\0')
    return;
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
  gtk_switch_set_active (self->remember_switch, TRUE);
  adw_action_row_set_subtitle (self->remember_row,
                               _("The password you used for them before is filled in"));
}

void
_ep_compose_page_password_set (EpComposePage *self,
                               const char    *password)
{
  gtk_toggle_button_set_active (self->encrypt_toggle, FALSE);
  gtk_toggle_button_set_active (self->password_toggle, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
}

void
_ep_compose_page_password_instead (EpComposePage *self)
{
  gtk_toggle_button_set_active (self->encrypt_toggle, FALSE);
  gtk_toggle_button_set_active (self->password_toggle, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

gboolean
_ep_compose_page_password_confirm (EpComposePage *self,
                                   gint64         not_before)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *advice = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (!_ep_compose_page_password_on (self) || !self->password_weak || self->sending)
    return TRUE;
  if (self->weak_confirmed)
    {
      self->weak_confirmed = FALSE;
      return TRUE;
    }
  if (self->weak_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->weak_dialog));
      return FALSE;
    }

  ep_password_strength (password_text (self), NULL, &advice);
  body = g_strdup_printf ("%s\n\n%s", advice ? advice : "",
                          _("Anyone who guesses the password can read the message. "
                            "Generate fills in a strong one that is easy to read out."));
  if (advice != NULL)
    memset (advice, 0, strlen (advice));

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Send with a Weak Password?"), body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"));
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "send", _("Send _Anyway"));
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "send",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  self->weak_not_before = not_before;
  self->weak_dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->weak_dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_weak_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return FALSE;
}

void
_ep_compose_page_password_set_sensitive (EpComposePage *self,
                                         gboolean       sensitive)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;

  /* GTK 4.8: a focused text made insensitive keeps its cursor blinking
   * (and warns); the focus goes to the main button (Cancel) first. */
  if (!sensitive && focus != NULL && gtk_widget_is_ancestor (focus, self->password_box))
    gtk_widget_grab_focus (GTK_WIDGET (self->send_button));
  gtk_widget_set_sensitive (self->password_box, sensitive);
}

void
_ep_compose_page_password_clear (EpComposePage *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->hint_row), "");
  gtk_switch_set_active (self->remember_switch, FALSE);
  adw_action_row_set_subtitle (self->remember_row, _("Kept in your key vault, and filled in next time"));
  set_password_visible (self, FALSE);
  update (self);
}

void
_ep_compose_page_password_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, password_instead_button);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, password_toggle);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, password_box);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, password_row);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, copy_password_button);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, hint_row);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, remember_row);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, remember_switch);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, strength_bar);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, generate_button);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, strength_label);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, password_error_label);
}

static void
add_strength_css (GtkWidget *widget)
{
  static GdkDisplay *styled;
  GdkDisplay *display = gtk_widget_get_display (widget);
  g_autoptr(GtkCssProvider) provider = NULL;

  if (display == NULL || display == styled)
    return;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider, strength_css, -1);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  styled = display;
}

void
_ep_compose_page_password_init (EpComposePage *self)
{
  add_strength_css (GTK_WIDGET (self));
  gtk_widget_add_css_class (GTK_WIDGET (self->strength_bar), "password-strength");
  gtk_level_bar_remove_offset_value (self->strength_bar, GTK_LEVEL_BAR_OFFSET_LOW);
  gtk_level_bar_remove_offset_value (self->strength_bar, GTK_LEVEL_BAR_OFFSET_HIGH);
  gtk_level_bar_remove_offset_value (self->strength_bar, GTK_LEVEL_BAR_OFFSET_FULL);
  gtk_level_bar_add_offset_value (self->strength_bar, OFFSET_WEAK, LEVEL_WEAK);
  gtk_level_bar_add_offset_value (self->strength_bar, OFFSET_FAIR, LEVEL_FAIR);
  gtk_level_bar_add_offset_value (self->strength_bar, OFFSET_STRONG, LEVEL_STRONG);

  ep_a11y_name_button (GTK_WIDGET (self->password_toggle), _("Protect with a Password"));
  ep_a11y_name_button (GTK_WIDGET (self->password_instead_button),
                       _("Protect with a Password Instead"));
  ep_a11y_name_button (GTK_WIDGET (self->generate_button), _("Generate Password"));

  g_signal_connect_swapped (self->password_toggle, "toggled",
                            G_CALLBACK (on_password_toggled_cb), self);
  g_signal_connect_swapped (self->encrypt_toggle, "toggled",
                            G_CALLBACK (on_encrypt_toggled_cb), self);
  g_signal_connect_swapped (self->password_row, "changed", G_CALLBACK (update), self);
  g_signal_connect_swapped (self->hint_row, "changed", G_CALLBACK (update), self);
  g_signal_connect_swapped (self->generate_button, "clicked",
                            G_CALLBACK (on_generate_clicked_cb), self);
  g_signal_connect_swapped (self->copy_password_button, "clicked",
                            G_CALLBACK (on_copy_clicked_cb), self);
  g_signal_connect_swapped (self->password_instead_button, "clicked",
                            G_CALLBACK (_ep_compose_page_password_instead), self);
  g_signal_connect_swapped (self, "unrealize", G_CALLBACK (release_focus), self);
  update (self);
}

void
_ep_compose_page_password_dispose (EpComposePage *self)
{
  if (self->password_row != NULL)
    release_focus (self);
  if (self->weak_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->weak_dialog));
}
