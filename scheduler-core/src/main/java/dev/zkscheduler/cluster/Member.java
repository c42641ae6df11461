package dev.zkscheduler.cluster;

import java.time.Instant;

/**
 * A live node of the cluster, as registered under {@code /members}; {@code roles} is {@code both},
 * {@code scheduler} or {@code worker} (null when the node did not say: an older release, both).
 */
public record Member(String id, String address, String version, Instant since, String roles) {

  public Member(String id, String address, String version, Instant since) {
    this(id, address, version, since, null);
  }
}
