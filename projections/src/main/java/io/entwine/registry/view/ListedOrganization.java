package io.entwine.registry.view;

import java.time.Instant;

/** One organization in the organizations list: as it was created. */
public record ListedOrganization(String id, String name, Instant created) {}
