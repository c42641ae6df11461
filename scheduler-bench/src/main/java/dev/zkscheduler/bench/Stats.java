package dev.zkscheduler.bench;

import java.util.Arrays;
import java.util.Locale;

/** Exact percentiles over recorded samples (milliseconds). */
final class Stats {

  private long[] values = new long[1024];
  private int size;

  synchronized void add(long value) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = value;
  }

  synchronized int count() {
    return size;
  }

  synchronized long percentile(double p) {
    if (size == 0) {
      return -1;
    }
    long[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * size) - 1;
    return sorted[Math.max(0, Math.min(size - 1, index))];
  }

  synchronized long max() {
    return percentile(100);
  }

  String summary() {
    return String.format(
        Locale.ROOT, "p50 %d ms · p99 %d ms · max %d ms", percentile(50), percentile(99), max());
  }
}
