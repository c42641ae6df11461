package dev.zkscheduler.service.tasks;

import dev.zkscheduler.job.JobValidationException;
import dev.zkscheduler.job.TaskContext;
import dev.zkscheduler.job.TaskHandler;
import dev.zkscheduler.job.TaskResult;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * {@code noop}: succeeds at once, or after {@code sleep} (cancellable), or fails if {@code fail}.
 */
public final class NoopTask implements TaskHandler {

  public static final String TYPE = "noop";

  @Override
  public TaskResult execute(TaskContext context) throws InterruptedException {
    Object sleep = context.config().get("sleep");
    if (sleep != null && context.awaitCancellation(Duration.parse(sleep.toString()))) {
      return TaskResult.failure("cancelled");
    }
    return Boolean.TRUE.equals(context.config().get("fail"))
        ? TaskResult.failure("failed as configured")
        : TaskResult.success();
  }

  @Override
  public void validateConfig(String prefix, Map<String, Object> config) {
    Object sleep = config.get("sleep");
    if (sleep != null) {
      try {
        Duration d = Duration.parse(sleep.toString());
        if (d.isNegative()) {
          throw new JobValidationException(prefix + ".sleep", "must not be negative");
        }
      } catch (DateTimeParseException e) {
        throw new JobValidationException(
            prefix + ".sleep", "'" + sleep + "' is not an ISO-8601 duration such as PT5S");
      }
    }
    Object fail = config.get("fail");
    if (fail != null && !(fail instanceof Boolean)) {
      throw new JobValidationException(prefix + ".fail", "must be true or false");
    }
  }
}
