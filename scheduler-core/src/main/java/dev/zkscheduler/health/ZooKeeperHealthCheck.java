package dev.zkscheduler.health;

import com.codahale.metrics.health.HealthCheck;
import java.util.function.BooleanSupplier;

/** Unhealthy while the node's ZooKeeper client is not connected. */
public final class ZooKeeperHealthCheck extends HealthCheck {

  private final BooleanSupplier connected;
  private final String where;

  /** {@code where} names the ensemble in the message (a connect string, never credentials). */
  public ZooKeeperHealthCheck(BooleanSupplier connected, String where) {
    this.connected = connected;
    this.where = where;
  }

  @Override
  protected Result check() {
    return connected.getAsBoolean()
        ? Result.healthy("connected to " + where)
        : Result.unhealthy("not connected to ZooKeeper at " + where);
  }
}
