package io.entwine.deploy.cassandra;

/**
 * Cassandra could not bind a port that was free when it was chosen: another process bound it in
 * between. Whoever chose the port may choose another one and start again.
 */
public class PortTakenException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final int port;

  public PortTakenException(int port, String message) {
    super(message);
    this.port = port;
  }

  /** The port that was taken. */
  public int port() {
    return port;
  }
}
