package dev.zkscheduler.service.metrics;

import dev.zkscheduler.job.TaskContext;
import dev.zkscheduler.job.TaskHandler;
import dev.zkscheduler.job.TaskResult;
import io.prometheus.metrics.core.metrics.Histogram;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task handler as the service runs it: the attempt's duration goes into {@link
 * PrometheusNames#TASK_DURATION} by task type and outcome, and a DEBUG line per attempt. The engine
 * puts the attempt's ids in the MDC of the thread that runs the handler ({@code jobId}, {@code
 * runId}, {@code taskId}, {@code attempt}, {@code memberId}), so the handler's lines and this one
 * name them (fields of the JSON log layout).
 *
 * <p>Outcomes: {@code succeeded}, {@code failed} (a failure result or a thrown exception), {@code
 * timed_out} (the handler's own time limit), {@code stopped} (the scheduler cancelled it: a
 * cancelled run, the attempt's deadline, or the end of this node's term).
 */
final class InstrumentedTaskHandler implements TaskHandler {

  private static final Logger log = LoggerFactory.getLogger(InstrumentedTaskHandler.class);

  private final String type;
  private final TaskHandler delegate;
  private final Histogram durations;

  InstrumentedTaskHandler(String type, TaskHandler delegate, Histogram durations) {
    this.type = type;
    this.delegate = delegate;
    this.durations = durations;
  }

  @Override
  public TaskResult execute(TaskContext context) throws Exception {
    long start = System.nanoTime();
    String outcome = "failed";
    try {
      TaskResult result = delegate.execute(context);
      outcome = result.succeeded() ? "succeeded" : result.timedOut() ? "timed_out" : "failed";
      return result;
    } finally {
      if (!outcome.equals("succeeded") && context.isCancelled()) {
        outcome = "stopped";
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      durations.labelValues(type, outcome).observe(seconds);
      log.debug(
          "{} attempt {}: {} in {} ms", type, context.attempt(), outcome, (long) (seconds * 1000));
    }
  }

  @Override
  public void validateConfig(String fieldPrefix, Map<String, Object> config) {
    delegate.validateConfig(fieldPrefix, config);
  }
}
