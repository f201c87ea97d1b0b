package io.entwine.registry.view;

/** How many devices of one type an organization has registered. */
public record DeviceTypeCount(String type, long count) {}
