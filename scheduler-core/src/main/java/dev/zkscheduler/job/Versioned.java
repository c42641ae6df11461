package dev.zkscheduler.job;

/**
 * A stored value with the version of the record holding it (the znode's data version). Versions are
 * what optimistic updates compare against and what the REST API shows as ETag.
 */
public record Versioned<T>(T value, int version) {}
