package dev.zkscheduler.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.service.support.ApiClient;
import dev.zkscheduler.service.support.ApiClient.Response;
import dev.zkscheduler.service.support.TestService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the {@code curl} examples of docs/api.md and of the README's quick start, in order, against
 * a real service, and checks the status written after each ({@code # → 201}). The quick-start
 * tokens and ports in the docs are mapped to the test node's.
 */
class ApiDocExamplesIT {

  private static final Pattern STATUS = Pattern.compile("#\\s*→\\s*(\\d{3})");
  private static final Pattern ASSIGNMENT = Pattern.compile("^([A-Z_]+)='([^']*)'$");
  private static final Pattern MANUAL_RUN_ID =
      Pattern.compile("\\d{8}T\\d{6}\\.\\d{3}Z-m-[0-9a-f]{6}");
  private static final Map<String, String> TOKENS =
      Map.of(
          "dev-admin-token-0001", TestService.ADMIN,
          "dev-operator-token-0001", TestService.OPERATOR,
          "dev-viewer-token-0001", TestService.VIEWER);

  private TestService node;
  private String lastRunId;

  @BeforeEach
  void start() throws Exception {
    node =
        TestService.embedded(
                "doc-it", Files.createTempDirectory("zks-doc-it"), TestService.freePort())
            .start();
  }

  @AfterEach
  void stop() {
    node.close();
  }

  /** One example: a curl command line and the status the doc promises. */
  record Example(String source, String command, int status) {}

  @Test
  void everyCurlExampleOfApiMdWorksAsWritten() throws Exception {
    List<Example> examples = examples(Path.of("..", "docs", "api.md"));
    assertThat(examples).hasSizeGreaterThan(15);
    runAll(examples);
  }

  @Test
  void theReadmeQuickStartWorksAsWritten() throws Exception {
    List<Example> examples = examples(Path.of("..", "README.md"));
    assertThat(examples).isNotEmpty();
    runAll(examples);
  }

  private void runAll(List<Example> examples) {
    for (Example example : examples) {
      Response response = execute(example.command());
      assertThat(response.status())
          .as("%s\n%s\n→ %s", example.source(), example.command(), response.body())
          .isEqualTo(example.status());
      Matcher id = Pattern.compile("\"runId\"\\s*:\\s*\"([^\"]+)\"").matcher(response.body());
      if (id.find()) {
        lastRunId = id.group(1);
        awaitRunCreated(example.command());
      }
    }
  }

  /** Waits until the leader has created the run just triggered, as a reader would. */
  private void awaitRunCreated(String command) {
    Matcher job = Pattern.compile("/api/v1/jobs/([^/]+)/trigger").matcher(command);
    if (job.find()) {
      String path = "/api/v1/jobs/" + job.group(1) + "/runs/" + lastRunId;
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> node.api(TestService.VIEWER).get(path).status() == 200);
    }
  }

  // ---- reading the docs ----

  /** The curl commands of every ```bash block, with variables expanded and their statuses. */
  static List<Example> examples(Path doc) throws Exception {
    List<String> lines = Files.readAllLines(doc);
    Map<String, String> variables = new LinkedHashMap<>();
    List<Example> examples = new ArrayList<>();
    boolean inBash = false;
    StringBuilder command = null;
    int commandLine = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (!inBash) {
        inBash = line.trim().equals("```bash");
        continue;
      }
      if (line.trim().equals("```")) {
        inBash = false;
        continue;
      }
      Matcher status = STATUS.matcher(line);
      if (command != null && status.find()) {
        examples.add(
            new Example(
                doc.getFileName() + ":" + commandLine,
                expand(command.toString(), variables),
                Integer.parseInt(status.group(1))));
        command = null;
        continue;
      }
      Matcher assignment = ASSIGNMENT.matcher(line.trim());
      if (command == null && assignment.matches()) {
        variables.put(assignment.group(1), assignment.group(2));
      } else if (command == null && line.trim().startsWith("curl ")) {
        command = new StringBuilder(line);
        commandLine = i + 1;
      } else if (command != null) {
        command.append('\n').append(line);
      }
    }
    return examples;
  }

  private static String expand(String command, Map<String, String> variables) {
    String result = command;
    for (Map.Entry<String, String> v : variables.entrySet()) {
      result = result.replace("\"$" + v.getKey() + "\"", "'" + v.getValue() + "'");
    }
    return result;
  }

  // ---- running curl, the small part of it the docs use ----

  private Response execute(String command) {
    List<String> args = shellWords(command);
    assertThat(args.get(0)).isEqualTo("curl");
    String method = null;
    String body = null;
    String url = null;
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "-s", "-i", "-sS" -> {}
        case "-X" -> method = args.get(++i);
        case "-H" -> {
          String[] header = args.get(++i).split(":\\s*", 2);
          String value = header[1];
          for (Map.Entry<String, String> t : TOKENS.entrySet()) {
            value = value.replace(t.getKey(), t.getValue());
          }
          headers.put(header[0], value);
        }
        case "-d" -> body = args.get(++i);
        default -> {
          assertThat(arg).as("unsupported curl argument in the docs").doesNotStartWith("-");
          url = arg;
        }
      }
    }
    if (method == null) {
      method = body == null ? "GET" : "POST";
    }
    String path = url.replaceFirst("^(https?://)?localhost:\\d+", "");
    if (lastRunId != null) {
      path = MANUAL_RUN_ID.matcher(path).replaceAll(lastRunId);
    }
    ApiClient client = url.contains(":8081") ? node.admin() : node.api(null);
    return client.send(method.toUpperCase(Locale.ROOT), path, body, headers);
  }

  /** Splits a command line as a POSIX shell would for '…', "…", words and \-newlines. */
  static List<String> shellWords(String command) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    for (int i = 0; i < command.length(); i++) {
      char c = command.charAt(i);
      if (c == '\\' && i + 1 < command.length() && command.charAt(i + 1) == '\n') {
        i++;
      } else if (c == '\'') {
        int end = command.indexOf('\'', i + 1);
        word = word == null ? new StringBuilder() : word;
        word.append(command, i + 1, end);
        i = end;
      } else if (c == '"') {
        int end = command.indexOf('"', i + 1);
        word = word == null ? new StringBuilder() : word;
        word.append(command, i + 1, end);
        i = end;
      } else if (Character.isWhitespace(c)) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else {
        word = word == null ? new StringBuilder() : word;
        word.append(c);
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }
}
