/* ep-compose-page-private.h: shared by ep-compose-page.c,
 * ep-compose-page-send.c, ep-compose-page-protect.c and
 * ep-compose-page-password.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <epistle-core.h>

#include "ep-compose-page.h"

G_BEGIN_DECLS

typedef struct
{
  char    *path;
  char    *name;
  char    *type;
  guint64  size;
} Attachment;

/* Where the sender's signature goes (ep-compose-page-signature.c). */
typedef enum
{
  EP_SIGNATURE_BELOW,        /* a new message: under where the person writes */
  EP_SIGNATURE_ABOVE_QUOTE,  /* a reply or forward: above what it quotes */
  EP_SIGNATURE_ADOPT,        /* a restored draft: only the one it has */
  EP_SIGNATURE_PLACED,       /* put in (or none to put): swapped as From changes */
} EpSignaturePlacement;

struct _EpComposePage
{
  GtkWidget        parent_instance;

  /* template widgets */
  GtkWidget       *box;
  GtkProgressBar  *progress_bar;
  AdwComboRow     *from_row;
  AdwEntryRow     *to_row;
  AdwEntryRow     *cc_row;
  AdwEntryRow     *bcc_row;
  AdwEntryRow     *subject_row;
  GtkLabel        *address_error_label;
  GtkTextView     *body_view;
  GtkListBox      *attachment_list;
  GtkLabel        *size_warning_label;
  GtkToggleButton *markdown_toggle;
  GtkToggleButton *sign_toggle;
  GtkToggleButton *encrypt_toggle;
  GtkLabel        *protection_label;
  GtkButton       *password_instead_button;
  GtkToggleButton *password_toggle;
  GtkWidget       *password_box;
  AdwEntryRow     *password_row;
  GtkButton       *copy_password_button;
  AdwEntryRow     *hint_row;
  AdwActionRow    *remember_row;
  GtkSwitch       *remember_switch;
  GtkLevelBar     *strength_bar;
  GtkButton       *generate_button;
  GtkLabel        *strength_label;
  GtkLabel        *password_error_label;
  GtkButton       *send_button;
  GtkButton       *send_now_button;
  GtkLabel        *status_label;

  /* owned */
  EpContext       *context;
  GCancellable    *cancellable;
  GCancellable    *send_cancellable;  /* building and queueing the message */
  EpOutboxTask    *task;              /* the message in the outbox, if any */
  GSettings       *settings;
  guint            countdown_source;  /* the undo delay shown ticking */
  gboolean         undoing;           /* the person pressed Undo */
  GPtrArray       *accounts;        /* EpAccount, parallel to the From model */
  GtkStringList   *from_model;
  GPtrArray       *attachments;     /* Attachment */
  char            *wanted_account_uid;
  char            *in_reply_to;   /* a reply's, kept until it is sent or cleared */
  char            *references;
  /* ep-compose-page-signature.c: the signature put in the body (as the
   * account had it), and where a new one goes */
  char            *signature;
  EpSignaturePlacement signature_placement;
  gint64           draft_id;
  guint            save_source;
  guint            pulse_source;
  guint            n_recipients;
  gboolean         addresses_valid;
  /* To, Cc, Bcc: a wrong address is shown once the field is left, then
   * until it is right (not while it is first being typed). */
  gboolean         address_shown[3];
  gboolean         loading;
  gboolean         sending;
  gboolean         saving;
  gboolean         save_again;
  gboolean         discard_after_save;  /* sent while a save was in flight */
  /* Sign / Encrypt (ep-compose-page-protect.c) */
  GCancellable    *protection_cancellable;
  guint            protection_source;
  gboolean         protection_checking;
  gboolean         protection_ok;
  gboolean         protection_loading;
  /* Protect with a Password (ep-compose-page-password.c); the password
   * itself is only ever in password_row */
  gboolean         password_valid;    /* it and the hint can go as they are */
  gboolean         password_weak;     /* libpwquality rejected it */
  gboolean         weak_confirmed;    /* Send Anyway: send once without asking */
  gint64           weak_not_before;   /* what the confirmation sends: -1 = Send */
  GtkWidget       *weak_dialog;       /* the question, while it is open */
};

EpAccount *_ep_compose_page_selected_account (EpComposePage *self);
char      *_ep_compose_page_body_text        (EpComposePage *self);
void       _ep_compose_page_toast            (EpComposePage *self,
                                              const char    *text);
void       _ep_compose_page_actions_update   (EpComposePage *self);
void       _ep_compose_page_validate         (EpComposePage *self);
void       _ep_compose_page_schedule_save    (EpComposePage *self);
void       _ep_compose_page_update_size_warning (EpComposePage *self);

/* ep-compose-page-attach.c */
void       _ep_compose_page_attachment_free  (gpointer       data);
void       _ep_compose_page_rebuild_attachment_rows (EpComposePage *self);
void       _ep_compose_page_add_file         (EpComposePage *self,
                                              GFile         *file);
void       _ep_compose_page_attach_action    (GtkWidget     *widget,
                                              const char    *action_name,
                                              GVariant      *param);
void       _ep_compose_page_clear_message    (EpComposePage *self);
void       _ep_compose_page_delete_draft     (EpComposePage *self);
EpDraft   *_ep_compose_page_build_draft      (EpComposePage *self);

/* ep-compose-page-signature.c */
void       _ep_compose_page_signature_reset  (EpComposePage       *self,
                                              EpSignaturePlacement placement);
/* After From, its account or the whole text changed. */
void       _ep_compose_page_signature_sync   (EpComposePage       *self);
gboolean   _ep_compose_page_signature_is_blank (EpComposePage     *self,
                                                const char        *body);

/* ep-compose-page-protect.c */
void       _ep_compose_page_protect_init     (EpComposePage *self);
void       _ep_compose_page_protect_dispose  (EpComposePage *self);
void       _ep_compose_page_protect_check    (EpComposePage *self);
void       _ep_compose_page_protect_account_changed (EpComposePage *self);
/* Whether the protection asked for can be applied (checked, nothing missing). */
gboolean   _ep_compose_page_protect_ready    (EpComposePage *self);
void       _ep_compose_page_protect_apply    (EpComposePage *self,
                                              EpDraft       *draft);

/* ep-compose-page-password.c */
void       _ep_compose_page_password_class_init (GtkWidgetClass *widget_class);
void       _ep_compose_page_password_init    (EpComposePage *self);
void       _ep_compose_page_password_dispose (EpComposePage *self);
gboolean   _ep_compose_page_password_on      (EpComposePage *self);
/* FALSE while Password is on without a usable password and hint. */
gboolean   _ep_compose_page_password_ready   (EpComposePage *self);
void       _ep_compose_page_password_apply   (EpComposePage *self,
                                              EpDraft       *draft);
/* Encrypt cannot reach everyone: Password on instead. */
void       _ep_compose_page_password_instead (EpComposePage *self);
/* Puts @draft's fields in the form (ep-compose-page.c). */
void       _ep_compose_page_apply_draft  (EpComposePage *self,
                                          const EpDraft *draft);
/* Password on, with @password (a reply to password mail uses its own). */
void       _ep_compose_page_password_set (EpComposePage *self,
                                          const char    *password);
/* The protection check found @password remembered for every recipient:
 * filled in when none is typed. */
void       _ep_compose_page_password_offer   (EpComposePage *self,
                                              const char    *password);
/* Before a send at @not_before (-1: Send, with the undo delay): TRUE to go
 * on; FALSE when a weak password needs a confirmation first, which sends
 * by itself if given. */
gboolean   _ep_compose_page_password_confirm (EpComposePage *self,
                                              gint64         not_before);
/* Read-only while the message is on its way. */
void       _ep_compose_page_password_set_sensitive (EpComposePage *self,
                                                    gboolean       sensitive);
/* Sent: the password and hint go. */
void       _ep_compose_page_password_clear   (EpComposePage *self);

/* ep-compose-page-send.c */
void       _ep_compose_page_send             (EpComposePage *self);
/* Sends at @not_before (unix time; 0 = at once): a time far enough ahead
 * schedules the message (see EP_OUTBOX_SCHEDULE_AFTER). */
void       _ep_compose_page_send_at          (EpComposePage *self,
                                              gint64         not_before);
void       _ep_compose_page_cancel_send      (EpComposePage *self);
void       _ep_compose_page_send_now         (EpComposePage *self);
void       _ep_compose_page_send_dispose     (EpComposePage *self);

G_END_DECLS
