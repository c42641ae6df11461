package dev.zkscheduler.schedule;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneRulesException;

/** Parses time zone ids strictly: IANA region ids, or {@code UTC}. */
public final class Zones {

  private Zones() {}

  /**
   * Resolves {@code id} to a zone. Accepts IANA region ids ({@code America/New_York}) and {@code
   * UTC}/{@code Z}; a null or blank id means UTC. Fixed offsets such as {@code +05:00} are refused:
   * they silently ignore daylight saving time, which is the mistake a zone id exists to prevent.
   *
   * @throws InvalidScheduleException naming {@code timeZone} for anything else
   */
  public static ZoneId parse(String id) {
    if (id == null || id.isBlank()) {
      return ZoneOffset.UTC;
    }
    if (id.equals("UTC") || id.equals("Z") || id.equals("Etc/UTC")) {
      return ZoneOffset.UTC;
    }
    if (id.startsWith("+") || id.startsWith("-") || id.matches("(?i)(UTC|GMT|UT)[+-].*")) {
      throw new InvalidScheduleException(
          "timeZone",
          "'" + id + "' is a fixed offset; use an IANA zone id such as 'Europe/Paris' or 'UTC'");
    }
    try {
      return ZoneId.of(id);
    } catch (ZoneRulesException e) {
      throw new InvalidScheduleException(
          "timeZone",
          "unknown time zone '" + id + "'; expected an IANA zone id such as 'America/New_York'");
    } catch (DateTimeException e) {
      throw new InvalidScheduleException(
          "timeZone",
          "'" + id + "' is not a valid zone id; expected an IANA zone id such as 'Asia/Kolkata'");
    }
  }

  /** The id to show and persist: {@code UTC} for the UTC offset, the region id otherwise. */
  public static String display(ZoneId zone) {
    return zone.normalized().equals(ZoneOffset.UTC) ? "UTC" : zone.getId();
  }
}
