package dev.zkscheduler.service.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zkscheduler.service.tasks.HttpTask;
import dev.zkscheduler.service.tasks.NoopTask;
import dev.zkscheduler.service.tasks.ShellTask;
import org.junit.jupiter.api.Test;

/** What the configuration factories build without a running server. */
class FactoriesTest {

  @Test
  void theBuiltInTaskTypesAreAllBuilt() {
    assertThat(new TasksFactory().build())
        .containsOnlyKeys(NoopTask.TYPE, HttpTask.TYPE, ShellTask.TYPE)
        .hasValueSatisfying(
            new org.assertj.core.api.Condition<>(h -> h instanceof ShellTask, "a shell task"));
  }

  @Test
  void aConfiguredInstanceIdIsKept() {
    SchedulerFactory factory = new SchedulerFactory();
    factory.instanceId = "node-a";

    assertThat(factory.instanceId(8080)).isEqualTo("node-a");
  }

  @Test
  void anEmptyInstanceIdBecomesAValidIdEndingInThePort() {
    SchedulerFactory factory = new SchedulerFactory();
    factory.instanceId = "";

    String id = factory.instanceId(8123);

    assertThat(id).endsWith("-8123").matches("[a-z0-9][a-z0-9._-]{0,127}");
  }

  @Test
  void anExternalEnsembleIsUsedAsConfigured() {
    ZooKeeperFactory factory = new ZooKeeperFactory();
    factory.connectString = "zk1:2181,zk2:2181";

    // No environment: an external ensemble starts nothing that would need managing.
    assertThat(factory.build(null).connectString()).isEqualTo("zk1:2181,zk2:2181");
  }
}
