package dev.zkscheduler.service.lifecycle;

import dev.zkscheduler.Scheduler;
import io.dropwizard.lifecycle.Managed;

/**
 * Ties the scheduler's threads to the server's life. Managed objects stop in the reverse order of
 * registration, so registering this after the embedded ZooKeeper lets the scheduler give up its
 * term cleanly before its ZooKeeper goes away.
 */
public final class ManagedScheduler implements Managed {

  private final Scheduler scheduler;

  public ManagedScheduler(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  @Override
  public void start() {
    scheduler.start();
  }

  @Override
  public void stop() {
    scheduler.close();
  }
}
