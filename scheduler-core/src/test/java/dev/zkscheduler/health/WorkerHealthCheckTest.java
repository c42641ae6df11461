package dev.zkscheduler.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.health.HealthCheck;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class WorkerHealthCheckTest {

  @Test
  void healthyOnlyWhileRegisteredWithAFreshLease() {
    AtomicReference<String> name = new AtomicReference<>();
    AtomicBoolean lease = new AtomicBoolean(true);
    WorkerHealthCheck check = new WorkerHealthCheck(name::get, lease::get);

    HealthCheck.Result unregistered = check.execute();
    assertThat(unregistered.isHealthy()).isFalse();
    assertThat(unregistered.getMessage()).contains("not registered");

    name.set("n1~1a");
    assertThat(check.execute().isHealthy()).isTrue();

    lease.set(false);
    HealthCheck.Result lapsed = check.execute();
    assertThat(lapsed.isHealthy()).isFalse();
    assertThat(lapsed.getMessage()).contains("n1~1a").contains("half the session timeout");
  }
}
