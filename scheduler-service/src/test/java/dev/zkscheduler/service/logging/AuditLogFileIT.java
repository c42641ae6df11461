package dev.zkscheduler.service.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.service.support.ApiClient;
import dev.zkscheduler.service.support.TestService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration of docs/operations.md, "Audit log": the audit logger with its own file appender
 * and no additivity writes its lines there, and only there.
 */
class AuditLogFileIT {

  @TempDir Path dir;

  private TestService node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.stop();
    }
  }

  @Test
  void auditLinesGoToTheirOwnFileAndNotTheMainLog() throws Exception {
    Path main = dir.resolve("service.log");
    Path audit = dir.resolve("audit.log");
    node =
        TestService.embedded(
                "audit-file-it",
                dir.resolve("zk"),
                TestService.freePort(),
                Map.of(
                    "logging.appenders",
                    "[{type: file, currentLogFilename: '" + main + "', archive: false}]",
                    "logging.loggers",
                    "{dev.zkscheduler: INFO, org.apache.zookeeper: ERROR, org.apache.curator: ERROR,"
                        + " dev.zkscheduler.audit: {level: INFO, additive: false, appenders:"
                        + " [{type: file, currentLogFilename: '"
                        + audit
                        + "', archive: false}]}}"))
            .start();
    ApiClient api = node.api(TestService.ADMIN);

    assertThat(
            api.post(
                    "/api/v1/jobs",
                    "{\"id\":\"filed\",\"tasks\":[{\"id\":\"t\",\"type\":\"noop\"}]}")
                .status())
        .isEqualTo(201);
    assertThat(api.as(TestService.VIEWER).delete("/api/v1/jobs/filed").status()).isEqualTo(403);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(lines(audit))
                    .anySatisfy(
                        line ->
                            assertThat(line)
                                .contains(
                                    "audit action=create job=filed by=test-admin role=admin"
                                        + " version=0 outcome=ok status=201"))
                    .anySatisfy(
                        line ->
                            assertThat(line)
                                .contains(
                                    "audit action=delete job=filed by=test-viewer role=viewer"
                                        + " outcome=refused reason=forbidden status=403")));
    assertThat(lines(main)).as("the main log has the service's lines").isNotEmpty();
    assertThat(lines(main)).noneSatisfy(line -> assertThat(line).contains("audit action="));
  }

  private static List<String> lines(Path log) throws Exception {
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }
}
