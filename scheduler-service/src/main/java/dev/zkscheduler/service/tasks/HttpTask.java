package dev.zkscheduler.service.tasks;

import dev.zkscheduler.job.JobValidationException;
import dev.zkscheduler.job.JobValidationException.FieldError;
import dev.zkscheduler.job.TaskContext;
import dev.zkscheduler.job.TaskHandler;
import dev.zkscheduler.job.TaskResult;
import dev.zkscheduler.service.secrets.Scrubber;
import dev.zkscheduler.service.secrets.SecretSource;
import dev.zkscheduler.service.secrets.SecretTemplate;
import dev.zkscheduler.service.secrets.SecretValues;
import dev.zkscheduler.service.secrets.UnresolvedReferenceException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * {@code http}: one request per attempt; a 2xx answer is success. Config: {@code url} (http or
 * https), {@code method} (default POST), {@code headers}, {@code body}, {@code timeout}. The
 * request carries the job, run, task, attempt and fencing token as {@code X-Scheduler-*} headers,
 * so the receiver can deduplicate and refuse a stale leader. Cancellation aborts the request.
 *
 * <p>Header values may hold secret references ({@link SecretTemplate}), resolved for each attempt
 * on this node. An attempt whose reference cannot be resolved fails without sending anything; no
 * message it produces holds a resolved value.
 */
public final class HttpTask implements TaskHandler {

  public static final String TYPE = "http";

  /** The config key whose values are secret-bearing: resolved at run time, redacted when shown. */
  public static final String HEADERS = "headers";

  private static final Set<String> METHODS =
      Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD");

  /** RFC 9110 token characters. */
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  /** Headers Java's HttpClient sets itself and refuses from callers. */
  private static final Set<String> RESTRICTED =
      Set.of("connection", "content-length", "expect", "host", "upgrade");

  private final HttpClient client;
  private final Duration defaultTimeout;
  private final SecretSource secrets;

  public HttpTask(Duration defaultTimeout) {
    this(defaultTimeout, SecretSource.system());
  }

  public HttpTask(Duration defaultTimeout, SecretSource secrets) {
    this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    this.defaultTimeout = defaultTimeout;
    this.secrets = secrets;
  }

  @Override
  public TaskResult execute(TaskContext ctx) throws InterruptedException {
    Map<String, Object> config = ctx.config();
    Duration timeout =
        config.containsKey("timeout")
            ? Duration.parse(config.get("timeout").toString())
            : defaultTimeout;
    Duration untilDeadline = Duration.between(Instant.now(), ctx.deadline());
    if (!untilDeadline.isNegative() && untilDeadline.compareTo(timeout) < 0) {
      timeout = untilDeadline;
    }
    String method = config.getOrDefault("method", "POST").toString().toUpperCase(Locale.ROOT);
    Object body = config.get("body");
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(config.get("url").toString()))
            .timeout(timeout.isNegative() || timeout.isZero() ? Duration.ofMillis(1) : timeout)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body.toString()))
            .header("X-Scheduler-Job", ctx.jobId())
            .header("X-Scheduler-Run", ctx.runId())
            .header("X-Scheduler-Task", ctx.taskId())
            .header("X-Scheduler-Attempt", Integer.toString(ctx.attempt()))
            .header("X-Scheduler-Fencing-Token", Long.toString(ctx.fencingToken()))
            .header("X-Scheduler-Node", ctx.memberId());
    SecretValues headers = SecretValues.none();
    if (config.get(HEADERS) instanceof Map<?, ?> written) {
      try {
        headers = SecretValues.resolve("header", written, secrets);
      } catch (UnresolvedReferenceException e) {
        return TaskResult.failure(e.getMessage() + " on node " + ctx.memberId());
      }
    }
    for (Map.Entry<String, String> header : headers.values().entrySet()) {
      try {
        request.header(header.getKey(), header.getValue());
      } catch (IllegalArgumentException e) {
        // The client's message quotes the value, which may be a secret: say what, not which.
        return TaskResult.failure(
            "header '"
                + header.getKey()
                + "': its value is not a valid HTTP header value (a line break or another"
                + " control character; the value is not shown)");
      }
    }
    Scrubber scrubber = headers.scrubber();
    if (ctx.isCancelled()) {
      // Checked as late as possible: a leader that froze after the start was recorded must not
      // send with its old fencing token once a newer leader may have re-offered the attempt.
      return TaskResult.failure("cancelled before the request was sent");
    }
    CompletableFuture<HttpResponse<Void>> response =
        client.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding());
    try {
      while (true) {
        try {
          int status = response.get(100, TimeUnit.MILLISECONDS).statusCode();
          return status / 100 == 2
              ? TaskResult.success("HTTP " + status)
              : TaskResult.failure("HTTP " + status);
        } catch (TimeoutException notYet) {
          if (ctx.isCancelled()) {
            response.cancel(true);
            return TaskResult.failure("cancelled");
          }
        }
      }
    } catch (InterruptedException e) {
      response.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (cause instanceof HttpTimeoutException) {
        // Its own timeout (or the attempt's deadline it was clamped to) stopped the call: the
        // attempt timed out, as if the scheduler's timer had stopped it.
        return TaskResult.timedOut("HTTP request timed out after " + timeout);
      }
      return TaskResult.failure(
          cause.getClass().getSimpleName() + ": " + scrubber.scrub(cause.getMessage()));
    }
  }

  @Override
  public void validateConfig(String prefix, Map<String, Object> config) {
    List<FieldError> errors = new ArrayList<>();
    Object url = config.get("url");
    if (url == null) {
      errors.add(new FieldError(prefix + ".url", "must be set"));
    } else {
      try {
        URI uri = new URI(url.toString());
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
            || uri.getHost() == null) {
          errors.add(new FieldError(prefix + ".url", "must be an absolute http or https URL"));
        }
      } catch (URISyntaxException e) {
        errors.add(new FieldError(prefix + ".url", "is not a valid URL: " + e.getReason()));
      }
    }
    Object method = config.get("method");
    if (method != null && !METHODS.contains(method.toString().toUpperCase(Locale.ROOT))) {
      errors.add(new FieldError(prefix + ".method", "must be one of " + METHODS));
    }
    Object headers = config.get(HEADERS);
    if (headers != null && !(headers instanceof Map)) {
      errors.add(
          new FieldError(prefix + ".headers", "must be an object of header names to values"));
    } else if (headers instanceof Map<?, ?> map) {
      map.forEach(
          (name, value) -> {
            String n = name.toString();
            if (!HEADER_NAME.matcher(n).matches()) {
              errors.add(new FieldError(prefix + ".headers." + n, "is not a valid header name"));
            } else if (RESTRICTED.contains(n.toLowerCase(Locale.ROOT))
                || n.toLowerCase(Locale.ROOT).startsWith("x-scheduler-")) {
              errors.add(
                  new FieldError(
                      prefix + ".headers." + n, "is set by the scheduler or the HTTP client"));
            } else if (!(value instanceof String text)) {
              errors.add(new FieldError(prefix + ".headers." + n, "must be a string"));
            } else {
              SecretTemplate.problem(text)
                  .ifPresent(p -> errors.add(new FieldError(prefix + ".headers." + n, p)));
            }
          });
    }
    Object body = config.get("body");
    if (body != null && !(body instanceof String)) {
      errors.add(new FieldError(prefix + ".body", "must be a string (JSON-encode it if needed)"));
    }
    Object timeout = config.get("timeout");
    if (timeout != null) {
      try {
        Duration d = Duration.parse(timeout.toString());
        if (d.isNegative() || d.isZero()) {
          errors.add(new FieldError(prefix + ".timeout", "must be positive"));
        }
      } catch (DateTimeParseException e) {
        errors.add(
            new FieldError(prefix + ".timeout", "'" + timeout + "' is not an ISO-8601 duration"));
      }
    }
    if (!errors.isEmpty()) {
      throw new JobValidationException(errors);
    }
  }
}
