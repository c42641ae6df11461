package dev.zkscheduler.service.metrics;

import com.codahale.metrics.Reservoir;
import com.codahale.metrics.Snapshot;
import java.util.function.LongConsumer;

/**
 * A Dropwizard reservoir that also hands every value to an observer. Every update of a Dropwizard
 * {@code Histogram} or {@code Timer}, whichever method the caller used, ends in its reservoir, so
 * this is the one place that sees them all without changing the code that records them.
 */
final class ObservingReservoir implements Reservoir {

  private final Reservoir delegate;
  private final LongConsumer observer;

  ObservingReservoir(Reservoir delegate, LongConsumer observer) {
    this.delegate = delegate;
    this.observer = observer;
  }

  @Override
  public int size() {
    return delegate.size();
  }

  @Override
  public void update(long value) {
    delegate.update(value);
    observer.accept(value);
  }

  @Override
  public Snapshot getSnapshot() {
    return delegate.getSnapshot();
  }
}
