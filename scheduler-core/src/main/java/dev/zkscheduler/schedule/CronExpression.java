package dev.zkscheduler.schedule;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A parsed cron expression evaluated on local wall-clock date-times, with no zone at all: the
 * zone's rules (gaps, overlaps) are applied by {@link CronSchedule}.
 *
 * <p>Parsing and evaluation are our own. cron-utils 9.2.1 threw at evaluation time for expressions
 * it had accepted ({@code 31W} from a month shorter than 31 days: its issue #715, unreleased fix
 * #720), disagreed with Quartz on wrap-around day-of-week ranges and refused Unix day-name ranges
 * ({@code SUN-WED}: "Invalid range [7,3]"). Each field here reduces to a set of values plus, for
 * the day fields, one of the Quartz day rules, so evaluation is a plain search that cannot throw;
 * {@code QuartzDialectDifferentialTest} holds it to Quartz's own {@code CronExpression} and {@code
 * UnixDialectDifferentialTest} to a brute-force matcher with cronie's rules.
 *
 * <p>Immutable and thread-safe.
 */
final class CronExpression {

  enum Dialect {
    UNIX,
    QUARTZ
  }

  private static final String[] MONTH_NAMES = {
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"
  };
  private static final String[] DAY_NAMES = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};
  private static final int MIN_YEAR = 1970;
  private static final int MAX_YEAR = 2099;

  /**
   * Beyond this many years without a match an expression never matches again: the calendar repeats
   * every 400 years, and a year field past {@link #MAX_YEAR} is refused.
   */
  private static final int SEARCH_YEARS = 401;

  private final String text;
  private final Dialect dialect;
  private final BitSet seconds;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet months;
  private final BitSet years; // null: every year
  private final DayRule days;
  private final boolean everyHour;

  private CronExpression(
      String text,
      Dialect dialect,
      BitSet seconds,
      BitSet minutes,
      BitSet hours,
      BitSet months,
      BitSet years,
      DayRule days) {
    this.text = text;
    this.dialect = dialect;
    this.seconds = seconds;
    this.minutes = minutes;
    this.hours = hours;
    this.months = months;
    this.years = years;
    this.days = days;
    this.everyHour = hours.cardinality() == 24;
  }

  /**
   * Parses {@code text}; the dialect follows from the field count: 5 fields are Unix (minute hour
   * day-of-month month day-of-week), 6 or 7 are Quartz (second minute hour day-of-month month
   * day-of-week [year]). docs/scheduling.md lists what each dialect accepts.
   *
   * @throws InvalidScheduleException naming {@code cron}
   */
  static CronExpression parse(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidScheduleException("cron", "must not be empty");
    }
    String trimmed = text.trim();
    String[] fields = trimmed.toUpperCase(Locale.ROOT).split("\\s+");
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
    CronExpression expression;
    try {
      expression =
          dialect == Dialect.UNIX ? parseUnix(trimmed, fields) : parseQuartz(trimmed, fields);
    } catch (FieldException e) {
      throw new InvalidScheduleException(
          "cron",
          "'"
              + trimmed
              + "' is not a valid "
              + (dialect == Dialect.UNIX ? "5-field Unix" : "6-7 field Quartz")
              + " cron expression: "
              + e.getMessage());
    }
    expression.checkFiresAtAll(fields.length == 7);
    return expression;
  }

  private static CronExpression parseUnix(String text, String[] f) {
    BitSet second = new BitSet();
    second.set(0);
    BitSet minute = values(f[0], "minute", 0, 59, null, Dialect.UNIX);
    BitSet hour = values(f[1], "hour", 0, 23, null, Dialect.UNIX);
    BitSet dom = values(f[2], "day-of-month", 1, 31, null, Dialect.UNIX);
    BitSet month = values(f[3], "month", 1, 12, MONTH_NAMES, Dialect.UNIX);
    BitSet dow = values(f[4], "day-of-week", 0, 7, DAY_NAMES, Dialect.UNIX);
    if (dow.get(7)) {
      dow.set(0);
      dow.clear(7);
    }
    // cronie: a day field that starts with '*' does not take part in the OR, even as '*/2'.
    DayRule days = new DayRule.UnixDays(dom, dow, !f[2].startsWith("*") && !f[4].startsWith("*"));
    return new CronExpression(text, Dialect.UNIX, second, minute, hour, month, null, days);
  }

  private static CronExpression parseQuartz(String text, String[] f) {
    BitSet second = values(f[0], "second", 0, 59, null, Dialect.QUARTZ);
    BitSet minute = values(f[1], "minute", 0, 59, null, Dialect.QUARTZ);
    BitSet hour = values(f[2], "hour", 0, 23, null, Dialect.QUARTZ);
    BitSet month = values(f[4], "month", 1, 12, MONTH_NAMES, Dialect.QUARTZ);
    BitSet year = null;
    if (f.length == 7 && !f[6].equals("*")) {
      year = values(f[6], "year", MIN_YEAR, MAX_YEAR, null, Dialect.QUARTZ);
    }
    boolean domNone = f[3].equals("?");
    boolean dowNone = f[5].equals("?");
    if (domNone == dowNone) {
      throw new FieldException(
          "exactly one of day-of-month and day-of-week must be '?' (Quartz does not combine them)");
    }
    DayRule days = domNone ? quartzDayOfWeek(f[5]) : quartzDayOfMonth(f[3]);
    return new CronExpression(text, Dialect.QUARTZ, second, minute, hour, month, year, days);
  }

  private static DayRule quartzDayOfMonth(String field) {
    if (field.startsWith("L")) {
      boolean weekday = field.endsWith("W");
      String rest = field.substring(1, field.length() - (weekday ? 1 : 0));
      int offset = 0;
      if (!rest.isEmpty()) {
        if (!rest.startsWith("-")) {
          throw new FieldException("day-of-month '" + field + "': expected L, L-n, LW or L-nW");
        }
        offset = number(rest.substring(1), "day-of-month offset in '" + field + "'");
        // L-31 matches no day, but the evaluator before this one accepted it with a year field.
        if (offset > 31) {
          throw new FieldException("day-of-month '" + field + "': the offset must be 0-31");
        }
      }
      return new DayRule.LastDayOfMonth(offset, weekday);
    }
    if (field.endsWith("W")) {
      int day = number(field.substring(0, field.length() - 1), "day-of-month in '" + field + "'");
      if (day < 1 || day > 31) {
        throw new FieldException("day-of-month '" + field + "': the day must be 1-31");
      }
      return new DayRule.NearestWeekday(day);
    }
    if (field.contains("L") || field.contains("W")) {
      throw new FieldException(
          "day-of-month '" + field + "': L and W stand alone in the field, not in a list or range");
    }
    return new DayRule.DaysOfMonth(values(field, "day-of-month", 1, 31, null, Dialect.QUARTZ));
  }

  /**
   * A list in day-of-week is the union of its items, each a plain value, range or step, {@code L},
   * {@code nL} or {@code n#k}: the evaluator before this one accepted such lists ({@code 2#1,6#3})
   * and fired on every item, and stored jobs rely on that.
   */
  private static DayRule quartzDayOfWeek(String field) {
    List<DayRule> rules = new ArrayList<>();
    List<String> plain = new ArrayList<>();
    for (String item : field.split(",", -1)) {
      DayRule special = quartzSpecialDayOfWeek(item);
      if (special != null) {
        rules.add(special);
      } else {
        plain.add(item);
      }
    }
    if (!plain.isEmpty()) {
      rules.add(
          new DayRule.DaysOfWeek(
              values(String.join(",", plain), "day-of-week", 1, 7, DAY_NAMES, Dialect.QUARTZ)));
    }
    return rules.size() == 1 ? rules.get(0) : new DayRule.AnyOf(List.copyOf(rules));
  }

  /** {@code L}, {@code nL} or {@code n#k}; null for a plain list item. */
  private static DayRule quartzSpecialDayOfWeek(String item) {
    if (item.equals("L")) {
      // Quartz reads a bare L in day-of-week as 7, Saturday.
      BitSet saturday = new BitSet();
      saturday.set(7);
      return new DayRule.DaysOfWeek(saturday);
    }
    int hash = item.indexOf('#');
    if (hash >= 0) {
      int day = single(item.substring(0, hash), "day-of-week", 1, 7, DAY_NAMES);
      int nth = number(item.substring(hash + 1), "'#' ordinal in '" + item + "'");
      // A 6th or 7th weekday never exists, but the evaluator before this one accepted up to 7 and
      // stored jobs may carry one in a list: it simply matches no day.
      if (nth < 1 || nth > 7) {
        throw new FieldException("day-of-week '" + item + "': the number after '#' must be 1-7");
      }
      return new DayRule.NthDayOfWeek(day, nth);
    }
    if (item.length() > 1 && item.endsWith("L")) {
      return new DayRule.LastDayOfWeek(
          single(item.substring(0, item.length() - 1), "day-of-week", 1, 7, DAY_NAMES));
    }
    if (item.contains("L")) {
      throw new FieldException(
          "day-of-week '" + item + "': L is a day (L = Saturday) or follows one (nL), not a range");
    }
    return null;
  }

  /** Parses a list of {@code *}, values, ranges and steps into the set of values it selects. */
  private static BitSet values(
      String field, String name, int min, int max, String[] names, Dialect dialect) {
    BitSet set = new BitSet();
    if (field.equals("?")) {
      throw new FieldException(
          "'?' is only allowed in the day-of-month or day-of-week field of a Quartz expression");
    }
    for (String element : field.split(",", -1)) {
      if (element.isEmpty()) {
        throw new FieldException(name + " '" + field + "' has an empty list element");
      }
      String range = element;
      int step = 1;
      int slash = element.indexOf('/');
      if (slash >= 0) {
        range = element.substring(0, slash);
        step = number(element.substring(slash + 1), name + " step in '" + element + "'");
        // Quartz's own limits: a step as large as the field's span is refused there too.
        int maxStep = Math.min(max - min + 1, name.equals("day-of-week") ? 7 : max);
        if (step < 1 || step > Math.max(maxStep, 1)) {
          throw new FieldException(
              name + " step in '" + element + "' must be between 1 and " + maxStep);
        }
      }
      int from;
      int to;
      if (range.equals("*")) {
        from = min;
        to = name.equals("day-of-week") && dialect == Dialect.UNIX ? 6 : max;
      } else {
        int dash = range.indexOf('-');
        if (dash >= 0) {
          from = single(range.substring(0, dash), name, min, max, names);
          String upper = range.substring(dash + 1);
          to = single(upper, name, min, max, names);
          // Unix SUN is 0, but as the end of a range it closes the week (MON-SUN, 0-SUN): the
          // evaluator before this one read it so, and jobs stored with it must keep their days.
          if (dialect == Dialect.UNIX && upper.equals("SUN") && !range.startsWith("SUN")) {
            to = 7;
          }
        } else {
          from = single(range, name, min, max, names);
          to = slash >= 0 ? max : from;
        }
      }
      if (to < from) {
        if (dialect == Dialect.UNIX || name.equals("year")) {
          throw new FieldException(
              name + " range '" + range + "' runs backwards (wrap-around is Quartz-only)");
        }
        int span = max - min + 1;
        for (int v = from; v <= to + span; v += step) {
          set.set(v > max ? v - span : v);
        }
      } else {
        for (int v = from; v <= to; v += step) {
          set.set(v);
        }
      }
    }
    return set;
  }

  private static boolean startsWithLetter(String s) {
    return !s.isEmpty() && Character.isLetter(s.charAt(0));
  }

  /** One value: a number in range, or a name where the field has names. */
  private static int single(String token, String name, int min, int max, String[] names) {
    if (names != null && startsWithLetter(token)) {
      for (int i = 0; i < names.length; i++) {
        if (names[i].equals(token)) {
          // Unix numbers Sunday 0 and January 1; Quartz numbers Sunday 1.
          return names == MONTH_NAMES ? i + 1 : i + min;
        }
      }
      throw new FieldException(name + " name '" + token + "' is not one of the known names");
    }
    int value = number(token, name + " '" + token + "'");
    if (value < min || value > max) {
      throw new FieldException(
          name + " value " + value + " must be between " + min + " and " + max);
    }
    return value;
  }

  private static int number(String token, String what) {
    if (token.isEmpty() || token.length() > 4 || !token.chars().allMatch(Character::isDigit)) {
      throw new FieldException(what + " is not a number");
    }
    return Integer.parseInt(token);
  }

  /**
   * Refuses expressions that can never match (such as February 30th), which would otherwise be
   * accepted and then never fire — a job that silently never runs. An expression with a year field
   * is exempt: the evaluator before this one accepted every such expression, including ones whose
   * years are past or can never match, and jobs stored with one must still load; they never fire.
   */
  private void checkFiresAtAll(boolean hasYearField) {
    if (!hasYearField
        && nextAfter(LocalDateTime.of(MIN_YEAR, 1, 1, 0, 0).minusSeconds(1)).isEmpty()) {
      throw new InvalidScheduleException(
          "cron", "'" + text + "' matches no date and would never fire");
    }
  }

  /** The first local date-time strictly after {@code after} that matches, if any. */
  Optional<LocalDateTime> nextAfter(LocalDateTime after) {
    LocalDateTime start = after.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    LocalDate date = start.toLocalDate();
    LocalTime from = start.toLocalTime();
    int lastYear = years == null ? date.getYear() + SEARCH_YEARS : years.length() - 1;
    while (date.getYear() <= lastYear) {
      if (years != null && !years.get(date.getYear())) {
        int year = years.nextSetBit(date.getYear());
        if (year < 0) {
          return Optional.empty();
        }
        date = LocalDate.of(year, 1, 1);
        from = LocalTime.MIDNIGHT;
        continue;
      }
      if (!months.get(date.getMonthValue())) {
        date = date.withDayOfMonth(1).plusMonths(1);
        from = LocalTime.MIDNIGHT;
        continue;
      }
      if (days.matches(date)) {
        LocalTime time = timeAtOrAfter(from);
        if (time != null) {
          return Optional.of(LocalDateTime.of(date, time));
        }
      }
      date = date.plusDays(1);
      from = LocalTime.MIDNIGHT;
    }
    return Optional.empty();
  }

  private LocalTime timeAtOrAfter(LocalTime from) {
    for (int h = hours.nextSetBit(from.getHour()); h >= 0; h = hours.nextSetBit(h + 1)) {
      boolean sameHour = h == from.getHour();
      int m0 = sameHour ? from.getMinute() : 0;
      for (int m = minutes.nextSetBit(m0); m >= 0; m = minutes.nextSetBit(m + 1)) {
        int s = seconds.nextSetBit(sameHour && m == from.getMinute() ? from.getSecond() : 0);
        if (s >= 0) {
          return LocalTime.of(h, m, s);
        }
      }
    }
    return null;
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

  /** Thrown while parsing; turned into an {@link InvalidScheduleException} with the expression. */
  private static final class FieldException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FieldException(String message) {
      super(message, null, false, false);
    }
  }
}
