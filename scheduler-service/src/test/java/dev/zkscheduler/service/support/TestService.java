package dev.zkscheduler.service.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.zkscheduler.service.SchedulerApplication;
import dev.zkscheduler.service.config.SchedulerConfiguration;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** One real service node for tests, started from {@code test-service.yml} with overrides. */
public final class TestService implements AutoCloseable {

  public static final String ADMIN = "test-admin-token-000000";
  public static final String OPERATOR = "test-operator-token-00000";
  public static final String VIEWER = "test-viewer-token-0000000";

  private final DropwizardTestSupport<SchedulerConfiguration> support;
  private final String instanceId;
  private boolean running;

  /**
   * Each node gets its own config file: Dropwizard's {@code ConfigOverride}s are system properties
   * that several live instances in one JVM would overwrite (and restore) for each other.
   */
  private TestService(String instanceId, Map<String, String> overrides) {
    this.instanceId = instanceId;
    Map<String, String> all = new LinkedHashMap<>(overrides);
    all.put("scheduler.instanceId", instanceId);
    this.support =
        new DropwizardTestSupport<>(SchedulerApplication.class, configFile(all).toString());
  }

  /** A node with its own embedded ZooKeeper, data under {@code dataDir}, on {@code zkPort}. */
  public static TestService embedded(
      String instanceId, Path dataDir, int zkPort, Map<String, String> extra) {
    Map<String, String> overrides = new LinkedHashMap<>(extra);
    overrides.put("zookeeper.embedded.dataDir", dataDir.toString());
    overrides.put("zookeeper.embedded.port", Integer.toString(zkPort));
    return new TestService(instanceId, overrides);
  }

  public static TestService embedded(String instanceId, Path dataDir, int zkPort) {
    return embedded(instanceId, dataDir, zkPort, Map.of());
  }

  /** A node joining an existing ensemble. */
  public static TestService external(
      String instanceId, String connectString, Map<String, String> extra) {
    Map<String, String> overrides = new LinkedHashMap<>(extra);
    overrides.put("zookeeper.connectString", connectString);
    return new TestService(instanceId, overrides);
  }

  public static TestService external(String instanceId, String connectString) {
    return external(instanceId, connectString, Map.of());
  }

  /** test-service.yml with {@code a.b.c → value} overrides applied, written to a temp file. */
  private static Path configFile(Map<String, String> overrides) {
    try {
      ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
      ObjectNode root =
          (ObjectNode)
              yaml.readTree(Path.of(ResourceHelpers.resourceFilePath("test-service.yml")).toFile());
      overrides.forEach(
          (path, value) -> {
            String[] parts = path.split("\\.");
            ObjectNode node = root;
            for (int i = 0; i < parts.length - 1; i++) {
              node =
                  node.has(parts[i]) ? (ObjectNode) node.get(parts[i]) : node.putObject(parts[i]);
            }
            if (value.startsWith("[") || value.startsWith("{")) {
              node.set(parts[parts.length - 1], readList(yaml, value));
            } else {
              node.put(parts[parts.length - 1], value);
            }
          });
      Path file = Files.createTempFile("zks-test-service-", ".yml");
      yaml.writeValue(file.toFile(), root);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * An override value written in YAML flow style ({@code [a, b]}, {@code {k: v}}) is read as such.
   */
  private static JsonNode readList(ObjectMapper yaml, String value) {
    try {
      return yaml.readTree(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
