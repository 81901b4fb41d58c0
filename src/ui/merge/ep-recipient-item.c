/* ep-recipient-item.c: a recipient of the campaign being sent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-recipient-item"

#include "config.h"

#include "ep-recipient-item.h"

struct _EpRecipientItem
{
  GObject  parent_instance;
  guint    row_number;
  char    *address;
  guint    state;        /* EpRecipientState */
  gboolean bounced;      /* sent, then came back */
  gboolean resent;       /* in flight when a run stopped, sent again */
  char    *reply;
};

G_DEFINE_FINAL_TYPE (EpRecipientItem, ep_recipient_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ep_recipient_item_finalize (GObject *object)
{
  EpRecipientItem *self = EP_RECIPIENT_ITEM (object);

  g_free (self->address);
  g_free (self->reply);
  G_OBJECT_CLASS (ep_recipient_item_parent_class)->finalize (object);
}

static void
ep_recipient_item_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_uint (value, EP_RECIPIENT_ITEM (object)->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_recipient_item_class_init (EpRecipientItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ep_recipient_item_finalize;
  object_class->get_property = ep_recipient_item_get_property;
  properties[PROP_STATE] = g_param_spec_uint ("state", NULL, NULL, 0, EP_RECIPIENT_N_STATES, 0,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                                                G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ep_recipient_item_init (EpRecipientItem *self)
{
}

EpRecipientItem *
ep_recipient_item_new (guint       row_number,
                       const char *address,
                       EpRecipientState  state,
                       const char *reply)
{
  EpRecipientItem *self = g_object_new (EP_TYPE_RECIPIENT_ITEM, NULL);

  self->row_number = row_number;
  self->address = g_strdup (address);
  self->state = state;
  self->reply = g_strdup (reply);
  return self;
}

guint
ep_recipient_item_get_row_number (EpRecipientItem *self)
{
  g_return_val_if_fail (EP_IS_RECIPIENT_ITEM (self), 0);
  return self->row_number;
}

const char *
ep_recipient_item_get_address (EpRecipientItem *self)
{
  g_return_val_if_fail (EP_IS_RECIPIENT_ITEM (self), NULL);
  return self->address;
}

EpRecipientState
ep_recipient_item_get_state (EpRecipientItem *self)
{
  g_return_val_if_fail (EP_IS_RECIPIENT_ITEM (self), EP_RECIPIENT_PENDING);
  return self->state;
}

gboolean
ep_recipient_item_get_resent (EpRecipientItem *self)
{
  g_return_val_if_fail (EP_IS_RECIPIENT_ITEM (self), FALSE);
  return self->resent;
}

void
ep_recipient_item_set_resent (EpRecipientItem *self,
                              gboolean         resent)
{
  g_return_if_fail (EP_IS_RECIPIENT_ITEM (self));
  self->resent = resent;
}

gboolean
ep_recipient_item_get_bounced (EpRecipientItem *self)
{
  g_return_val_if_fail (EP_IS_RECIPIENT_ITEM (self), FALSE);
  return self->bounced;
}

void
ep_recipient_item_set_bounced (EpRecipientItem *self,
                               gboolean         bounced)
{
  g_return_if_fail (EP_IS_RECIPIENT_ITEM (self));
  self->bounced = bounced;
}

const char *
ep_recipient_item_get_reply (EpRecipientItem *self)
{
  g_return_val_if_fail (EP_IS_RECIPIENT_ITEM (self), NULL);
  return self->reply;
}

void
ep_recipient_item_update (EpRecipientItem *self,
                          EpRecipientState  state,
                          const char      *reply)
{
  g_return_if_fail (EP_IS_RECIPIENT_ITEM (self));

  self->state = state;
  g_free (self->reply);
  self->reply = g_strdup (reply);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}
