package io.entwine.claims;

import java.util.SortedMap;
import java.util.function.BiFunction;

/**
 * How a {@link ClaimTable} answers, in the reply type its callers already speak. The functions take
 * the table's entity id and its keys in order, each with its value.
 *
 * @param done a claim or release that took effect or had nothing to do
 * @param lookup the answer to a lookup
 * @param full the refusal of a claim because the table holds as many keys as the claim allows
 */
public record ClaimReplies<R>(
    R done,
    BiFunction<String, SortedMap<String, String>, R> lookup,
    BiFunction<String, SortedMap<String, String>, R> full) {

  /** For tables without a limit, which are never full. */
  public static <R> ClaimReplies<R> unlimited(
      R done, BiFunction<String, SortedMap<String, String>, R> lookup) {
    return new ClaimReplies<>(
        done,
        lookup,
        (tableId, claims) -> {
          throw new IllegalStateException("Table " + tableId + " is claimed without a limit");
        });
  }
}
