package dev.zkscheduler.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * A parsed cron expression evaluated on local wall-clock date-times, with no zone at all: the
 * zone's rules (gaps, overlaps) are applied by {@link CronSchedule}, not by cron-utils. We feed
 * cron-utils date-times at UTC, where every local time exists exactly once, so its own DST handling
 * never comes into play.
 *
 * <p>Immutable and thread-safe (cron-utils' parsed {@code Cron} and {@code ExecutionTime} are).
 */
final class CronExpression {

  enum Dialect {
    UNIX,
    QUARTZ
  }

  private static final CronParser UNIX_PARSER =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final CronParser QUARTZ_PARSER = new CronParser(quartzDefinition());

  private final String text;
  private final Dialect dialect;
  private final ExecutionTime executionTime;
  private final boolean everyHour;

  private CronExpression(String text, Dialect dialect, Cron cron, boolean everyHour) {
    this.text = text;
    this.dialect = dialect;
    this.executionTime = ExecutionTime.forCron(cron);
    this.everyHour = everyHour;
  }

  /**
   * Parses {@code text}; the dialect follows from the field count: 5 fields are Unix (minute hour
   * day-of-month month day-of-week), 6 or 7 are Quartz (second minute hour day-of-month month
   * day-of-week [year]).
   *
   * @throws InvalidScheduleException naming {@code cron}
   */
  static CronExpression parse(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidScheduleException("cron", "must not be empty");
    }
    String trimmed = text.trim();
    String[] fields = trimmed.split("\\s+");
    Dialect dialect =
        switch (fields.length) {
          case 5 -> Dialect.UNIX;
          case 6, 7 -> Dialect.QUARTZ;
          default ->
              throw new InvalidScheduleException(
                  "cron",
                  "has "
                      + fields.length
                      + " fields; expected 5 (Unix: minute hour day-of-month month day-of-week)"
                      + " or 6-7 (Quartz: second minute hour day-of-month month day-of-week [year])");
        };
    Cron cron;
    try {
      cron = (dialect == Dialect.UNIX ? UNIX_PARSER : QUARTZ_PARSER).parse(trimmed);
      cron.validate();
    } catch (IllegalArgumentException e) {
      throw new InvalidScheduleException(
          "cron",
          "'"
              + trimmed
              + "' is not a valid "
              + dialectName(dialect)
              + " cron expression: "
              + e.getMessage(),
          e);
    }
    String hourField = fields[dialect == Dialect.UNIX ? 1 : 2];
    boolean everyHour =
        hourField.equals("*") || hourField.equals("*/1") || hourField.equals("0-23");
    CronExpression expression = new CronExpression(trimmed, dialect, cron, everyHour);
    expression.checkFiresAtAll();
    return expression;
  }

  private static String dialectName(Dialect dialect) {
    return dialect == Dialect.UNIX ? "5-field Unix" : "6-7 field Quartz";
  }

  /**
   * A Quartz definition as cron-utils ships it, which already supports {@code L}, {@code W}, {@code
   * #}, {@code ?} and an optional year. Kept as a method so the choice is in one place.
   */
  private static CronDefinition quartzDefinition() {
    return CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ);
  }

  /**
   * Refuses expressions that can never match (such as February 30th), which cron-utils would
   * otherwise accept and then never fire — a job that silently never runs.
   */
  private void checkFiresAtAll() {
    LocalDateTime probe = LocalDateTime.of(1999, 12, 31, 0, 0);
    Optional<LocalDateTime> first;
    try {
      first = nextAfter(probe);
    } catch (RuntimeException e) {
      throw new InvalidScheduleException(
          "cron", "'" + text + "' never fires: " + e.getMessage(), e);
    }
    if (first.isEmpty() && !(dialect == Dialect.QUARTZ && text.split("\\s+").length == 7)) {
      throw new InvalidScheduleException(
          "cron", "'" + text + "' matches no date and would never fire");
    }
  }

  /** The first local date-time strictly after {@code after} that matches, if any. */
  Optional<LocalDateTime> nextAfter(LocalDateTime after) {
    return executionTime
        .nextExecution(ZonedDateTime.of(after, ZoneOffset.UTC))
        .map(ZonedDateTime::toLocalDateTime)
        .filter(next -> next.isAfter(after));
  }

  /** Whether the expression fires in every hour of the day (hour field {@code *}). */
  boolean everyHour() {
    return everyHour;
  }

  Dialect dialect() {
    return dialect;
  }

  String text() {
    return text;
  }
}
