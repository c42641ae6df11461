package dev.zkscheduler.service.support;

import dev.zkscheduler.service.SchedulerApplication;
import dev.zkscheduler.service.config.SchedulerConfiguration;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One real service node for tests, started from {@code test-service.yml} with overrides. */
public final class TestService implements AutoCloseable {

  public static final String ADMIN = "test-admin-token-000000";
  public static final String OPERATOR = "test-operator-token-00000";
  public static final String VIEWER = "test-viewer-token-0000000";

  private final DropwizardTestSupport<SchedulerConfiguration> support;
  private final String instanceId;
  private boolean running;

  private TestService(String instanceId, List<ConfigOverride> overrides) {
    this.instanceId = instanceId;
    List<ConfigOverride> all = new ArrayList<>(overrides);
    all.add(ConfigOverride.config("scheduler.instanceId", instanceId));
    this.support =
        new DropwizardTestSupport<>(
            SchedulerApplication.class,
            ResourceHelpers.resourceFilePath("test-service.yml"),
            all.toArray(ConfigOverride[]::new));
  }

  /** A node with its own embedded ZooKeeper, data under {@code dataDir}, on {@code zkPort}. */
  public static TestService embedded(
      String instanceId, Path dataDir, int zkPort, ConfigOverride... extra) {
    List<ConfigOverride> overrides = new ArrayList<>(List.of(extra));
    overrides.add(ConfigOverride.config("zookeeper.embedded.dataDir", dataDir.toString()));
    overrides.add(ConfigOverride.config("zookeeper.embedded.port", Integer.toString(zkPort)));
    return new TestService(instanceId, overrides);
  }

  /** A node joining an existing ensemble. */
  public static TestService external(
      String instanceId, String connectString, ConfigOverride... extra) {
    List<ConfigOverride> overrides = new ArrayList<>(List.of(extra));
    overrides.add(ConfigOverride.config("zookeeper.connectString", connectString));
    return new TestService(instanceId, overrides);
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public TestService start() throws Exception {
    support.before();
    running = true;
    return this;
  }

  public void stop() {
    if (running) {
      running = false;
      support.after();
    }
  }

  public boolean running() {
    return running;
  }

  public String instanceId() {
    return instanceId;
  }

  public SchedulerApplication application() {
    return support.getApplication();
  }

  public ApiClient api(String token) {
    return new ApiClient("http://127.0.0.1:" + support.getLocalPort(), token);
  }

  public ApiClient admin() {
    return new ApiClient("http://127.0.0.1:" + support.getAdminPort(), null);
  }

  @Override
  public void close() {
    stop();
  }
}
