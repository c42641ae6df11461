package dev.zkscheduler.health;

import com.codahale.metrics.health.HealthCheck;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Unhealthy while this node's worker cannot take attempts: it is not registered (no ZooKeeper
 * session, or between sessions), or its lease lapsed (no contact with ZooKeeper for half the
 * session timeout: its handlers are being told to stop, and the leader will offer its attempts
 * again once the session expires).
 */
public final class WorkerHealthCheck extends HealthCheck {

  private final Supplier<String> worker;
  private final BooleanSupplier leaseValid;

  public WorkerHealthCheck(Supplier<String> worker, BooleanSupplier leaseValid) {
    this.worker = worker;
    this.leaseValid = leaseValid;
  }

  @Override
  protected Result check() {
    String name = worker.get();
    if (name == null) {
      return Result.unhealthy(
          "the worker is not registered: no ZooKeeper session to run attempts on");
    }
    if (!leaseValid.getAsBoolean()) {
      return Result.unhealthy(
          "worker "
              + name
              + " has had no ZooKeeper contact for half the session timeout: its handlers are told"
              + " to stop");
    }
    return Result.healthy("worker " + name + " takes attempts");
  }
}
