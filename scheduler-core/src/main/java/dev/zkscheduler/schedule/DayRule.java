package dev.zkscheduler.schedule;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.BitSet;
import java.util.List;

/**
 * Which days of the month a cron expression fires on, given its day-of-month and day-of-week
 * fields: the Unix rule (either or both fields), and the Quartz special forms ({@code L}, {@code
 * L-n}, {@code LW}, {@code nW}, {@code nL}, {@code n#k}), each a small value {@link CronExpression}
 * builds while parsing. Immutable.
 */
interface DayRule {

  boolean matches(LocalDate date);

  private static int quartzDayOfWeek(LocalDate date) {
    return date.getDayOfWeek().getValue() % 7 + 1;
  }

  record UnixDays(BitSet daysOfMonth, BitSet daysOfWeek, boolean either) implements DayRule {
    @Override
    public boolean matches(LocalDate date) {
      boolean dom = daysOfMonth.get(date.getDayOfMonth());
      boolean dow = daysOfWeek.get(date.getDayOfWeek().getValue() % 7);
      return either ? dom || dow : dom && dow;
    }
  }

  record AnyOf(List<DayRule> rules) implements DayRule {
    @Override
    public boolean matches(LocalDate date) {
      for (DayRule rule : rules) {
        if (rule.matches(date)) {
          return true;
        }
      }
      return false;
    }
  }

  record DaysOfMonth(BitSet days) implements DayRule {
    @Override
    public boolean matches(LocalDate date) {
      return days.get(date.getDayOfMonth());
    }
  }

  record DaysOfWeek(BitSet days) implements DayRule {
    @Override
    public boolean matches(LocalDate date) {
      return days.get(quartzDayOfWeek(date));
    }
  }

  /** {@code L}, {@code L-n}, {@code LW}, {@code L-nW}. */
  record LastDayOfMonth(int offset, boolean weekday) implements DayRule {
    @Override
    public boolean matches(LocalDate date) {
      int target = date.lengthOfMonth() - offset;
      if (target < 1) {
        return false;
      }
      return date.getDayOfMonth() == (weekday ? nearestWeekday(date, target) : target);
    }
  }

  /** {@code nW}: in a month shorter than n days it does not fire (Quartz does the same). */
  record NearestWeekday(int day) implements DayRule {
    @Override
    public boolean matches(LocalDate date) {
      return day <= date.lengthOfMonth() && date.getDayOfMonth() == nearestWeekday(date, day);
    }
  }

  /** The weekday nearest to {@code day} in {@code date}'s month, never crossing into another. */
  private static int nearestWeekday(LocalDate date, int day) {
    DayOfWeek dow = date.withDayOfMonth(day).getDayOfWeek();
    if (dow == DayOfWeek.SATURDAY) {
      return day == 1 ? 3 : day - 1;
    }
    if (dow == DayOfWeek.SUNDAY) {
      return day == date.lengthOfMonth() ? day - 2 : day + 1;
    }
    return day;
  }

  /** {@code nL}: the last such weekday of the month. */
  record LastDayOfWeek(int day) implements DayRule {
    @Override
    public boolean matches(LocalDate date) {
      return quartzDayOfWeek(date) == day && date.getDayOfMonth() + 7 > date.lengthOfMonth();
    }
  }

  /** {@code n#k}: the k-th such weekday of the month; a month without a 5th does not fire. */
  record NthDayOfWeek(int day, int nth) implements DayRule {
    @Override
    public boolean matches(LocalDate date) {
      return quartzDayOfWeek(date) == day && (date.getDayOfMonth() - 1) / 7 + 1 == nth;
    }
  }
}
