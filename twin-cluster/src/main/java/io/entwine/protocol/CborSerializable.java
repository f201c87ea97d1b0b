package io.entwine.protocol;

/**
 * Marker for every message, event and state that crosses the network or goes to the journal; bound
 * once to jackson-cbor in reference.conf.
 */
public interface CborSerializable {}
