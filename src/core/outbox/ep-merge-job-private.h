/* ep-merge-job-private.h: the state of an EpMergeJob, shared by
 * ep-merge-job.c (reading, checking, the GObject) and ep-merge-job-send.c
 * (the test message and creating the campaign)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ep-merge-job.h"
#include "outbox/ep-campaign.h"

G_BEGIN_DECLS

struct _EpMergeJob
{
  GObject        parent_instance;

  EpOutbox     *context;
  char          *path;
  char          *base_dir;
  EpTable       *table;
  EpTemplate    *tmpl;
  EpAccount     *account;
  EpMergeReport *report;

  guint          connections;
  guint          rate;
  guint          daily_limit;
  gint64         start_at;        /* unix time; 0 = at once */
  gboolean       spread;
  EpSendWindow   window;
  EpCampaignProtection protection;
  char          *password_hint;   /* protection.password_hint points here */

  guint          read_serial;
  guint          validate_serial;
  double         read_fraction;
  guint          reading : 1;
  guint          validating : 1;
  guint          skip_invalid : 1;
};

G_END_DECLS
