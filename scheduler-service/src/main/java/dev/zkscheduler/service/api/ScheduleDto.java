package dev.zkscheduler.service.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A schedule on the wire: exactly one of {@code cron} (with {@code timeZone} and {@code
 * dstPolicy}), {@code interval} (with {@code startAt}) or {@code at}; the others are null and left
 * out of the JSON.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"cron", "timeZone", "dstPolicy", "interval", "startAt", "at"})
public record ScheduleDto(
    String cron, String timeZone, String dstPolicy, String interval, String startAt, String at) {

  public static ScheduleDto cron(String cron, String timeZone, String dstPolicy) {
    return new ScheduleDto(cron, timeZone, dstPolicy, null, null, null);
  }

  public static ScheduleDto interval(String interval, String startAt) {
    return new ScheduleDto(null, null, null, interval, startAt, null);
  }

  public static ScheduleDto once(String at) {
    return new ScheduleDto(null, null, null, null, null, at);
  }
}
