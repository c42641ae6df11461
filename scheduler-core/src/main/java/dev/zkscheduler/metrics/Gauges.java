package dev.zkscheduler.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;

/**
 * Registers gauges so that the newest owner wins. A gauge reads its owner's state, so when a
 * component is rebuilt on the same registry (a scheduler restarted in the same process) the old
 * gauge must go, or it keeps reporting a closed component. Counters and meters are shared instead:
 * they accumulate across restarts.
 */
public final class Gauges {

  private Gauges() {}

  public static <T> void replace(MetricRegistry registry, String name, Gauge<T> gauge) {
    synchronized (registry) {
      registry.remove(name);
      registry.register(name, gauge);
    }
  }
}
