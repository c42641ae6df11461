package dev.zkscheduler.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscheduler.service.support.ApiClient;
import dev.zkscheduler.service.support.Ledger;
import dev.zkscheduler.service.support.TestService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Secret references end to end on a real node: the receiver gets the resolved value, and nothing
 * else does — not a log line at any level (captured while the runs go, successful and failing), not
 * a run's answer, not ZooKeeper's files.
 */
class SecretsIT {

  @TempDir Path dir;

  private TestService node;
  private Ledger ledger;
  private final SecretCatcher catcher = new SecretCatcher();
  private String secret;
  private Path secretFile;

  @BeforeEach
  void start() throws Exception {
    secret = "zks-secret-" + UUID.randomUUID();
    secretFile = dir.resolve("api-token");
    Files.writeString(secretFile, secret + "\n", StandardCharsets.UTF_8);
    ledger = new Ledger();
    node =
        TestService.embedded(
                "secrets-it",
                dir.resolve("zk"),
                TestService.freePort(),
                Map.of("tasks.shell.enabled", "true"))
            .start();
    catcher.attach(secret);
  }

  @AfterEach
  void stop() {
    catcher.detach();
    if (node != null) {
      node.close();
    }
    ledger.close();
  }

  private JsonNode runToTheEnd(ApiClient api, String id, String tasks) {
    String body = "{\"id\":\"" + id + "\",\"retry\":{\"maxAttempts\":1},\"tasks\":[" + tasks + "]}";
    ApiClient.Response created = api.post("/api/v1/jobs", body);
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    String runId = api.post("/api/v1/jobs/" + id + "/trigger", null).json().get("runId").asText();
    return await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> api.get("/api/v1/jobs/" + id + "/runs/" + runId),
            r ->
                r.status() == 200
                    && List.of("SUCCEEDED", "FAILED").contains(r.json().get("state").asText()))
        .json();
  }

  private static String http(String url, String headerValue) {
    return "{\"id\":\"call\",\"type\":\"http\",\"config\":{\"url\":\""
        + url
        + "\",\"headers\":{\"Authorization\":\""
        + headerValue
        + "\"}}}";
  }

  @Test
  void theResolvedValueReachesTheReceiverAndNeverALogARunOrTheStore() throws Exception {
    ApiClient api = node.api(TestService.ADMIN);
    String reference = "${file:" + secretFile + "}";

    JsonNode sent = runToTheEnd(api, "sends", http(ledger.url("/ok"), "Bearer " + reference));
    assertThat(sent.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(ledger.entries("sends").get(0).headers())
        .containsEntry("authorization", "Bearer " + secret);

    ledger.respond("/refuses", 401);
    JsonNode refused =
        runToTheEnd(api, "refused", http(ledger.url("/refuses"), "Bearer " + reference));
    assertThat(refused.get("tasks").get("call").get("error").asText()).isEqualTo("HTTP 401");

    Path twoLines = dir.resolve("two-lines");
    Files.writeString(twoLines, secret + "\n" + secret + "\n");
    JsonNode invalid =
        runToTheEnd(api, "invalid", http(ledger.url("/ok"), "${file:" + twoLines + "}"));
    assertThat(invalid.get("tasks").get("call").get("error").asText())
        .contains("header 'Authorization'")
        .contains("not a valid HTTP header value");

    Path missing = dir.resolve("missing");
    JsonNode unresolved =
        runToTheEnd(api, "unresolved", http(ledger.url("/ok"), "${file:" + missing + "}"));
    assertThat(unresolved.get("tasks").get("call").get("error").asText())
        .isEqualTo(
            "header 'Authorization': ${file:"
                + missing
                + "} cannot be read (NoSuchFileException) on node secrets-it");

    JsonNode printed =
        runToTheEnd(
            api,
            "prints",
            "{\"id\":\"call\",\"type\":\"shell\",\"config\":{"
                + "\"command\":[\"sh\",\"-c\",\"echo token=$PW; exit 3\"],"
                + "\"env\":{\"PW\":\""
                + reference
                + "\"}}}");
    assertThat(printed.get("tasks").get("call").get("error").asText())
        .isEqualTo("exit 3: token=<redacted>");

    assertThat(ledger.entries("invalid")).isEmpty();
    assertThat(ledger.entries("unresolved")).isEmpty();
    for (String id : List.of("sends", "refused", "invalid", "unresolved", "prints")) {
      assertThat(api.get("/api/v1/jobs/" + id).body()).doesNotContain(secret);
      assertThat(api.get("/api/v1/jobs/" + id + "/runs").body()).doesNotContain(secret);
    }

    LoggerFactory.getLogger("secrets-it.control").warn("control line {}", "seen");
    assertThat(catcher.seen("control line seen")).isTrue();
    assertThat(catcher.events()).as("log events captured").isGreaterThan(1);
    assertThat(catcher.leaks()).as("log lines holding the secret").isEmpty();

    node.stop();
    node = null;
    assertThat(filesHolding(dir.resolve("zk"), secret)).as("ZooKeeper files").isEmpty();
  }

  private static List<Path> filesHolding(Path root, String text) throws IOException {
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    List<Path> holding = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        if (indexOf(Files.readAllBytes(file), needle) >= 0) {
          holding.add(file);
        }
      }
    }
    return holding;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * Sees every log event of the JVM at DEBUG and above (TRACE for the scheduler's own loggers)
   * while attached, and keeps those whose message, arguments or exceptions hold the secret.
   */
  private static final class SecretCatcher extends AppenderBase<ILoggingEvent> {
    private final List<String> leaks = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicInteger events = new AtomicInteger();
    private final Map<String, Level> levels = new java.util.HashMap<>();
    private volatile String secret;

    void attach(String secret) {
      this.secret = secret;
      LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
      setContext(context);
      start();
      Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      for (String name : List.of(org.slf4j.Logger.ROOT_LOGGER_NAME, "dev.zkscheduler")) {
        Logger logger = context.getLogger(name);
        levels.put(name, logger.getLevel());
        logger.setLevel(name.equals("dev.zkscheduler") ? Level.TRACE : Level.DEBUG);
      }
      root.addAppender(this);
    }

    void detach() {
      LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
      context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(this);
      levels.forEach((name, level) -> context.getLogger(name).setLevel(level));
      stop();
    }

    @Override
    protected void append(ILoggingEvent event) {
      events.incrementAndGet();
      StringBuilder text = new StringBuilder(event.getFormattedMessage());
      if (event.getArgumentArray() != null) {
        for (Object argument : event.getArgumentArray()) {
          text.append(' ').append(argument);
        }
      }
      for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
        text.append(' ').append(t.getClassName()).append(": ").append(t.getMessage());
        for (StackTraceElementProxy frame : t.getStackTraceElementProxyArray()) {
          text.append(' ').append(frame.getSTEAsString());
        }
      }
      String line = text.toString();
      if (event.getFormattedMessage().startsWith("control line")) {
        lines.add(event.getFormattedMessage());
      }
      if (line.contains(secret)) {
        leaks.add(event.getLoggerName() + ": " + line);
      }
    }

    boolean seen(String line) {
      return lines.contains(line);
    }

    int events() {
      return events.get();
    }

    List<String> leaks() {
      return leaks;
    }
  }
}
