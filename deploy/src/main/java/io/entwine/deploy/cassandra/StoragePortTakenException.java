package io.entwine.deploy.cassandra;

/** The internode (storage) port was taken; the launcher picks another one itself. */
final class StoragePortTakenException extends PortTakenException {
  private static final long serialVersionUID = 1L;

  StoragePortTakenException(int port) {
    super(port, "Another process bound Cassandra's storage port " + port + " before Cassandra did");
  }
}
