package io.entwine.integration.script;

/**
 * A converter script that cannot be compiled, or a run that failed. The message is written for the
 * sender of the message (HTTP 4xx body, debug event): it names what went wrong in the script, never
 * a Java stack trace.
 */
public final class ConverterException extends Exception {
  public enum Kind {
    /** The script does not compile. */
    SYNTAX,
    /** The script threw (a JavaScript error, a ReferenceError, a denied host access...). */
    THREW,
    /** The run exceeded its time limit. */
    TIMEOUT,
    /** The script returned something that is not what a converter must return. */
    WRONG_SHAPE,
    /**
     * The result is beyond the node's limits (characters of JSON, devices or readings of one
     * message): refused before anything of it is recorded.
     */
    TOO_LARGE
  }

  private final Kind kind;

  public ConverterException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
