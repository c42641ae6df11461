package dev.zkscheduler.service.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.service.support.ApiClient;
import dev.zkscheduler.service.support.PrometheusText;
import dev.zkscheduler.service.support.TestService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Starts {@code target/zk-scheduler.jar} as an operator would and reads what it prints. The jar is
 * where dependency mistakes show that no unit test sees: the shade plugin merges manifests and
 * resources, and logback checks at start that its artifacts belong together.
 */
class ShadedJarIT {

  private static final Path JAR = Path.of("target", "zk-scheduler.jar");
  private static final String EXPECTED_VERSION = System.getProperty("zks.expectedVersion", "");

  private static Process process;
  private static Path log;
  private static ApiClient admin;

  @BeforeAll
  static void start() throws IOException {
    assertThat(JAR).as("run mvn package first").exists();
    // Under target/, not a temp dir: the node's log is what to read when this test fails.
    Path home = Path.of("target", "shaded-jar-it", "run-" + System.currentTimeMillis());
    Files.createDirectories(home);
    int apiPort = TestService.freePort();
    int adminPort = TestService.freePort();
    int zkPort = TestService.freePort();
    Path config = home.resolve("config.yml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "zookeeper:",
            "  embedded: {dataDir: " + home.resolve("zk") + ", port: " + zkPort + "}",
            "auth:",
            "  tokens: [{name: admin, token: " + TestService.ADMIN + ", role: admin}]",
            "server:",
            "  shutdownGracePeriod: 1s",
            "  applicationConnectors:",
            "    - {type: http, port: " + apiPort + ", bindHost: 127.0.0.1}",
            "  adminConnectors:",
            "    - {type: http, port: " + adminPort + ", bindHost: 127.0.0.1}",
            "  requestLog:",
            "    appenders: [{type: console}]",
            "logging:",
            "  level: INFO",
            ""));
    log = home.resolve("node.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    process =
        new ProcessBuilder(
                java,
                "-Xmx384m",
                "-XX:+UseSerialGC",
                "-jar",
                JAR.toString(),
                "server",
                config.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    admin = new ApiClient("http://127.0.0.1:" + adminPort, null);
    ApiClient probe = admin.withTimeout(Duration.ofSeconds(2));
    // Generous: a JVM starting ZooKeeper and Jetty on a loaded CI machine can take a minute.
    await()
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              assertThat(process.isAlive()).as("the node exited; see %s", log).isTrue();
              try {
                return probe.get("/ping").status() == 200;
              } catch (RuntimeException notYet) {
                return false;
              }
            });
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  @Test
  void theStartupLogNamesTheVersion() throws IOException {
    assertThat(EXPECTED_VERSION).isNotBlank();
    assertThat(Files.readString(log)).contains("zk-scheduler " + EXPECTED_VERSION + " (");
  }

  @Test
  void buildInfoNamesTheJarsVersion() {
    PrometheusText metrics = PrometheusText.parse(admin.get("/metrics/prometheus").body());
    assertThat(metrics.samples("zkscheduler_build_info"))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.labels()).containsEntry("version", EXPECTED_VERSION);
              assertThat(s.labels().get("revision")).matches("[0-9a-f]{12}|unknown");
            });
  }

  @Test
  void theManifestCarriesVersionAndRevision() throws IOException {
    try (JarFile jar = new JarFile(JAR.toFile())) {
      Attributes main = jar.getManifest().getMainAttributes();
      assertThat(main.getValue("Implementation-Version")).isEqualTo(EXPECTED_VERSION);
      assertThat(main.getValue("SCM-Revision")).matches("[0-9a-f]{12}|unknown");
    }
  }

  @Test
  void theJarCarriesOurLicenceAndEveryBundledNotice() throws IOException {
    try (JarFile jar = new JarFile(JAR.toFile())) {
      String licence = read(jar, "META-INF/LICENSE");
      String notice = read(jar, "META-INF/NOTICE");
      assertThat(licence).contains("Apache License").contains("Version 2.0, January 2004");
      assertThat(notice.strip()).startsWith("zk-scheduler");
      // Bundled libraries' NOTICE files, which a first-one-wins merge used to drop.
      assertThat(notice).contains("Curator Framework").contains("Eclipse Jetty");
    }
  }

  private static String read(JarFile jar, String name) throws IOException {
    JarEntry entry = jar.getJarEntry(name);
    assertThat(entry).as(name).isNotNull();
    try (var in = jar.getInputStream(entry)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void logbackReportsNoMismatchedArtifactsAtStart() throws IOException {
    // Logback prints its own status lines ("|-WARN in ...") when the versions it finds on the
    // class path do not belong together, e.g. logback-access-common and logback-access-jetty12.
    List<String> status =
        Files.readAllLines(log).stream()
            .filter(line -> line.contains("|-WARN") || line.contains("|-ERROR"))
            .toList();
    assertThat(status).isEmpty();
    assertThat(Files.readString(log)).contains("Found logback-access-jetty12 version");
  }
}
