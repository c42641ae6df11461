package dev.zkscheduler.cluster;

import java.time.Instant;

/** A live node of the cluster, as registered under {@code /members}. */
public record Member(String id, String address, String version, Instant since) {}
