package dev.zkscheduler.service.api;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** {@code GET /api/v1/jobs/{id}/preview}: each fire time in UTC and in the schedule's zone. */
public record FireTimesDto(List<FireTime> fireTimes) {

  @JsonPropertyOrder({"utc", "local"})
  public record FireTime(String utc, String local) {}

  public static FireTimesDto from(List<ZonedDateTime> times) {
    return new FireTimesDto(
        times.stream()
            .map(
                t ->
                    new FireTime(
                        t.toInstant().toString(), t.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)))
            .toList());
  }
}
