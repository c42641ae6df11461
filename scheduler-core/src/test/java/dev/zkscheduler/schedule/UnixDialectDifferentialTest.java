package dev.zkscheduler.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Compares the Unix dialect with a brute-force minute matcher written from cronie's rules: names
 * and numbers in lists, ranges and steps, 7 = Sunday, and day-of-month OR day-of-week unless one of
 * them starts with '*'.
 */
class UnixDialectDifferentialTest {

  private static final long SEED = 0xC401E_2026L;
  private static final int EXPRESSIONS = 2000;
  private static final int FIRES = 20;
  private static final List<LocalDateTime> STARTS =
      List.of(LocalDateTime.of(2026, 1, 30, 22, 17, 5), LocalDateTime.of(2028, 2, 27, 23, 59));

  /** Long enough for a few fires of the sparsest generated expression (one day a year). */
  private static final int HORIZON_MINUTES = 3 * 366 * 24 * 60;

  private static final String[] MONTHS = {
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"
  };
  private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

  @Test
  void agreesWithABruteForceMatcherOnRandomExpressions() {
    Random random = new Random(SEED);
    List<String> disagreements = new ArrayList<>();
    for (int n = 0; n < EXPRESSIONS; n++) {
      String[] f = {
        list(random, 0, 59, null, 0),
        list(random, 0, 23, null, 0),
        random.nextInt(3) == 0 ? "*" : list(random, 1, 31, null, 0),
        random.nextInt(2) == 0 ? "*" : list(random, 1, 12, MONTHS, 1),
        random.nextInt(3) == 0 ? "*" : list(random, 0, 7, DAYS, 0)
      };
      if (random.nextInt(4) == 0) {
        f[4] = f[4].toLowerCase(Locale.ROOT);
      }
      String expression = String.join(" ", f);
      CronExpression ours;
      try {
        ours = CronExpression.parse(expression);
      } catch (InvalidScheduleException e) {
        if (!e.getMessage().contains("never fire")
            || new Matcher(f).next(STARTS.get(0).withSecond(0)) != null) {
          disagreements.add(expression + ": refused: " + e.getMessage());
        }
        continue;
      }
      Matcher oracle = new Matcher(f);
      for (LocalDateTime start : STARTS) {
        LocalDateTime a = start;
        LocalDateTime b = start.withSecond(0);
        for (int i = 0; i < FIRES; i++) {
          a = ours.nextAfter(a).orElse(null);
          b = oracle.next(b);
          if (b == null) {
            break;
          }
          if (!b.equals(a)) {
            disagreements.add(expression + " from " + start + ": ours " + a + ", cronie " + b);
            break;
          }
        }
      }
    }
    assertThat(disagreements).isEmpty();
  }

  /** Every value a cronie range/step element selects, wrap-around excluded (cronie refuses it). */
  private static final class Matcher {
    final BitSet minute;
    final BitSet hour;
    final BitSet dom;
    final BitSet month;
    final BitSet dow;
    final boolean either;

    Matcher(String[] f) {
      minute = field(f[0], 0, 59, null, 0);
      hour = field(f[1], 0, 23, null, 0);
      dom = field(f[2], 1, 31, null, 0);
      month = field(f[3], 1, 12, MONTHS, 1);
      dow = field(f[4], 0, 7, DAYS, 0);
      either = !f[2].startsWith("*") && !f[4].startsWith("*");
    }

    LocalDateTime next(LocalDateTime after) {
      LocalDateTime t = after.plusMinutes(1);
      LocalDateTime end = t.plusMinutes(HORIZON_MINUTES);
      while (t.isBefore(end)) {
        int weekday = t.getDayOfWeek().getValue() % 7;
        boolean d = dom.get(t.getDayOfMonth());
        boolean w = dow.get(weekday) || (weekday == 0 && dow.get(7));
        if (!month.get(t.getMonthValue()) || !(either ? d || w : d && w)) {
          // Only to keep the test fast: no minute of a non-matching day can match.
          t = t.toLocalDate().plusDays(1).atStartOfDay();
          continue;
        }
        if (minute.get(t.getMinute()) && hour.get(t.getHour())) {
          return t;
        }
        t = t.plusMinutes(1);
      }
      return null;
    }

    static BitSet field(String text, int min, int max, String[] names, int firstName) {
      BitSet set = new BitSet();
      for (String element : text.toUpperCase(Locale.ROOT).split(",")) {
        String[] rangeStep = element.split("/");
        int step = rangeStep.length > 1 ? Integer.parseInt(rangeStep[1]) : 1;
        String range = rangeStep[0];
        int from;
        int to;
        if (range.equals("*")) {
          from = min;
          to = max;
        } else if (range.contains("-")) {
          from = value(range.split("-")[0], names, firstName);
          to = value(range.split("-")[1], names, firstName);
        } else {
          from = value(range, names, firstName);
          to = rangeStep.length > 1 ? max : from;
        }
        for (int v = from; v <= to; v += step) {
          set.set(v);
        }
      }
      return set;
    }

    static int value(String token, String[] names, int firstName) {
      if (Character.isLetter(token.charAt(0))) {
        return List.of(names).indexOf(token) + firstName;
      }
      return Integer.parseInt(token);
    }
  }

  private static String list(Random r, int min, int max, String[] names, int firstName) {
    int count = 1 + r.nextInt(3);
    List<String> elements = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int a = min + r.nextInt(max - min + 1);
      int c = a + r.nextInt(max - a + 1);
      boolean named = names != null && r.nextBoolean() && c - firstName < names.length;
      String sa = named ? names[a - firstName] : String.valueOf(a);
      String sc = named ? names[c - firstName] : String.valueOf(c);
      int step = 1 + r.nextInt(Math.min(max - min, 7));
      elements.add(
          switch (r.nextInt(5)) {
            case 0 -> sa;
            case 1 -> sa + "-" + sc;
            case 2 -> "*/" + step;
            case 3 -> sa + "-" + sc + "/" + step;
            default -> a == min ? sa : String.valueOf(a);
          });
    }
    return String.join(",", elements);
  }
}
