package dev.zkscheduler.service.api;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code POST /api/v1/jobs/{id}/backfill}: the window, as ISO-8601 UTC instants. */
public record BackfillDto(String from, String to) {

  /**
   * Any JSON scalar is taken as text, so that a number is refused with the same message as any
   * other non-instant instead of a type error; absent and null read as null.
   */
  public static BackfillDto from(JsonNode json) {
    return new BackfillDto(json.path("from").asText(null), json.path("to").asText(null));
  }
}
