package io.entwine.http.common;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Predicate;

/**
 * The {@code _bookmark} of a list ordered by one id: base64url of the last id of the page, which
 * the next page starts after.
 */
public final class IdBookmarks {
  private IdBookmarks() {}

  public static String after(String id) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(id.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The id {@code bookmark} names, or null when it is not base64url of an id {@code isId} takes.
   */
  public static String idOf(String bookmark, Predicate<String> isId) {
    try {
      String id =
          new String(Base64.getUrlDecoder().decode(bookmark.strip()), StandardCharsets.UTF_8);
      return isId.test(id) ? id : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
