package dev.zkscheduler.service.tasks;

import dev.zkscheduler.job.JobValidationException;
import dev.zkscheduler.job.JobValidationException.FieldError;
import dev.zkscheduler.job.TaskContext;
import dev.zkscheduler.job.TaskHandler;
import dev.zkscheduler.job.TaskResult;
import dev.zkscheduler.service.secrets.SecretSource;
import dev.zkscheduler.service.secrets.SecretTemplate;
import dev.zkscheduler.service.secrets.SecretValues;
import dev.zkscheduler.service.secrets.UnresolvedReferenceException;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code shell}: runs {@code command} (an argv array, no shell parsing) with optional {@code env}
 * and {@code workingDir}; exit 0 is success. Output is captured up to a bound. On cancel or timeout
 * the process and all its descendants are killed. Refused unless enabled in config: a job that uses
 * it while disabled is invalid, and an attempt fails.
 *
 * <p>{@code env} values may hold secret references ({@link SecretTemplate}), resolved for each
 * attempt on this node; an attempt whose reference cannot be resolved fails without starting the
 * command. Resolved secrets are replaced by the redaction marker in the output kept as the
 * attempt's message, so a command that prints one does not publish it.
 */
public final class ShellTask implements TaskHandler {

  public static final String TYPE = "shell";

  /** The config key whose values are secret-bearing: resolved at run time, redacted when shown. */
  public static final String ENV = "env";

  private final boolean enabled;
  private final int maxOutputBytes;
  private final SecretSource secrets;

  public ShellTask(boolean enabled, int maxOutputBytes) {
    this(enabled, maxOutputBytes, SecretSource.system());
  }

  public ShellTask(boolean enabled, int maxOutputBytes, SecretSource secrets) {
    this.enabled = enabled;
    this.maxOutputBytes = maxOutputBytes;
    this.secrets = secrets;
  }

  @Override
  public TaskResult execute(TaskContext ctx) throws IOException, InterruptedException {
    if (!enabled) {
      return TaskResult.failure(
          "the shell task type is disabled on this node (tasks.shell.enabled)");
    }
    Map<String, Object> config = ctx.config();
    List<String> argv = ((List<?>) config.get("command")).stream().map(Object::toString).toList();
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    if (config.get("workingDir") != null) {
      builder.directory(new File(config.get("workingDir").toString()));
    }
    SecretValues env = SecretValues.none();
    if (config.get(ENV) instanceof Map<?, ?> written) {
      try {
        env = SecretValues.resolve("env", written, secrets);
      } catch (UnresolvedReferenceException e) {
        return TaskResult.failure(e.getMessage() + " on node " + ctx.memberId());
      }
    }
    for (Map.Entry<String, String> variable : env.values().entrySet()) {
      try {
        builder.environment().put(variable.getKey(), variable.getValue());
      } catch (IllegalArgumentException e) {
        // The JDK's message quotes the value, which may be a secret: say what, not which.
        return TaskResult.failure(
            "env '"
                + variable.getKey()
                + "': not a valid environment variable (a NUL character, or '=' in the name;"
                + " the value is not shown)");
      }
    }
    if (ctx.isCancelled()) {
      return TaskResult.failure("cancelled before the command started");
    }
    Process process = builder.start();
    BoundedOutput output = new BoundedOutput(process.getInputStream(), maxOutputBytes);
    Thread reader = new Thread(output, "zk-scheduler-shell-output");
    reader.setDaemon(true);
    reader.start();
    try {
      while (!process.waitFor(100, TimeUnit.MILLISECONDS)) {
        if (ctx.isCancelled()) {
          killTree(process);
          return TaskResult.failure("cancelled; process killed");
        }
      }
    } catch (InterruptedException e) {
      killTree(process);
      throw e;
    }
    reader.join(1_000);
    int exit = process.exitValue();
    String tail = env.scrubber().scrub(output.text());
    return exit == 0
        ? TaskResult.success(tail)
        : TaskResult.failure("exit " + exit + (tail.isEmpty() ? "" : ": " + tail));
  }

  /** Kills the process and every descendant, so `sh -c 'sleep 100 & sleep 100'` leaves nothing. */
  static void killTree(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void validateConfig(String prefix, Map<String, Object> config) {
    List<FieldError> errors = new ArrayList<>();
    if (!enabled) {
      errors.add(
          new FieldError(
              prefix.replace(".config", ".type"),
              "the shell task type is disabled on this scheduler (tasks.shell.enabled: false)"));
    }
    Object command = config.get("command");
    if (!(command instanceof List<?> list)
        || list.isEmpty()
        || list.stream().anyMatch(a -> !(a instanceof String))) {
      errors.add(
          new FieldError(
              prefix + ".command",
              "must be a non-empty array of strings (argv), e.g. [\"/bin/echo\", \"hi\"]"));
    }
    Object env = config.get(ENV);
    if (env != null && !(env instanceof Map)) {
      errors.add(new FieldError(prefix + ".env", "must be an object of variable names to values"));
    } else if (env instanceof Map<?, ?> map) {
      map.forEach(
          (name, value) -> {
            if (value instanceof String text) {
              SecretTemplate.problem(text)
                  .ifPresent(p -> errors.add(new FieldError(prefix + ".env." + name, p)));
            }
          });
    }
    Object dir = config.get("workingDir");
    if (dir != null && !new File(dir.toString()).isDirectory()) {
      errors.add(
          new FieldError(prefix + ".workingDir", "'" + dir + "' is not a directory on this node"));
    }
    if (!errors.isEmpty()) {
      throw new JobValidationException(errors);
    }
  }

  /** Keeps the last {@code max} bytes of a stream. */
  private static final class BoundedOutput implements Runnable {
    private final InputStream in;
    private final int max;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private boolean truncated;

    BoundedOutput(InputStream in, int max) {
      this.in = in;
      this.max = max;
    }

    @Override
    public void run() {
      byte[] buffer = new byte[4096];
      try (in) {
        int n;
        while ((n = in.read(buffer)) > 0) {
          synchronized (this) {
            if (kept.size() + n > max) {
              truncated = true;
              byte[] all = kept.toByteArray();
              int keep = Math.max(0, max - n);
              kept.reset();
              kept.write(all, all.length - Math.min(keep, all.length), Math.min(keep, all.length));
            }
            kept.write(buffer, 0, Math.min(n, max));
          }
        }
      } catch (IOException ignored) {
        // Process gone.
      }
    }

    synchronized String text() {
      String text = kept.toString(StandardCharsets.UTF_8).strip();
      return truncated ? "…" + text : text;
    }
  }
}
