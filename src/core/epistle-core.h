/* epistle-core.h: the public interface of libepistle-core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#define EP_CORE_INSIDE

#include "ep-types.h"
#include "ep-context.h"
#include "account/ep-account.h"
#include "account/ep-account-secret.h"
#include "account/ep-account-server.h"
#include "account/ep-provider.h"
#include "mail/ep-address.h"
#include "mail/ep-draft.h"
#include "mail/ep-formatted-text.h"
#include "mail/ep-html-text.h"
#include "mail/ep-markdown.h"
#include "mail/ep-signature.h"
#include "mail/ep-message.h"
#include "mail/ep-read-message.h"
#include "store/ep-store.h"
#include "store/ep-store-inbox.h"
#include "table/ep-csv-writer.h"
#include "table/ep-table.h"
#include "merge/ep-template.h"
#include "merge/ep-merge.h"
#include "outbox/ep-campaign.h"
#include "outbox/ep-campaign-export.h"
#include "outbox/ep-campaign-passwords.h"
#include "outbox/ep-campaign-runner.h"
#include "outbox/ep-clock.h"
#include "outbox/ep-outbox-task.h"
#include "outbox/ep-outbox.h"
#include "outbox/ep-scheduler.h"
#include "outbox/ep-merge-job.h"
#include "outbox/ep-schedule-time.h"
#include "outbox/ep-send-window.h"
#include "outbox/ep-spread-plan.h"
#include "outbox/ep-system-clock.h"
#include "transport/ep-protocol-log.h"
#include "transport/ep-server-config.h"
#include "transport/ep-smtp.h"
#include "transport/ep-imap.h"
#include "transport/ep-imap-parser.h"
#include "transport/ep-imap-session.h"
#include "inbox/ep-inbox-sync.h"
#include "inbox/ep-inbox.h"
#include "transport/ep-transport-error.h"
#include "vault/ep-vault.h"
#include "vault/ep-password.h"
#include "vault/ep-pwmail.h"
#include "vault/ep-smime.h"
#include "vault/ep-protection-check.h"
#include "vault/ep-vault-op.h"

#undef EP_CORE_INSIDE
