package dev.zkscheduler.service.api;

import java.time.Instant;

/** Instants on the wire: ISO-8601 UTC text, or null when unset. */
final class Instants {

  private Instants() {}

  static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
