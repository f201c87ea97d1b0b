package io.entwine.integration.webhook;

import io.entwine.claims.ClaimReplies;
import io.entwine.claims.ClaimTable;
import io.entwine.protocol.Rejection;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The ids of an organization's webhooks, so that listing never crosses organizations and another
 * organization's id is unknown without waking any webhook. An id is claimed before its webhook is
 * created (refused with LIMIT_EXCEEDED beyond the organization's limit) and released after it is
 * deleted; an id whose webhook does not exist (a creation that failed half-way) is skipped by
 * readers.
 */
public final class WebhookDirectory {
  public static final ClaimTable<String, WebhookReply> TABLE =
      new ClaimTable<>(
          "WebhookDirectory",
          Function.identity(),
          ClaimTable.NO_LIMIT,
          new ClaimReplies<>(
              new WebhookReply.Done(),
              (org, ids) -> new WebhookReply.Directory(new TreeSet<>(ids.keySet())),
              WebhookDirectory::full));

  private WebhookDirectory() {}

  private static WebhookReply full(String org, SortedMap<String, String> ids) {
    return new WebhookReply.Rejected(
        Rejection.LIMIT_EXCEEDED,
        "The organization has " + ids.size() + " webhooks, the most allowed; delete one first");
  }
}
