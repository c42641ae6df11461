package dev.zkscheduler.engine;

import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.cluster.WorkerInfo;
import org.slf4j.MDC;

/**
 * The ids of one attempt in the SLF4J MDC while a thread handles it, so that every log line written
 * meanwhile — the engine's, a handler's — names them (fields of a JSON log layout): {@value #JOB},
 * {@value #RUN}, {@value #TASK}, {@value #ATTEMPT} and {@value #MEMBER}, the member whose worker
 * runs the attempt (on the leader too). Open with try-with-resources on the thread that handles the
 * attempt; closing removes the fields. Not for nesting: the inner close removes the outer fields.
 */
final class AttemptLogFields implements AutoCloseable {

  static final String JOB = "jobId";
  static final String RUN = "runId";
  static final String TASK = "taskId";
  static final String ATTEMPT = "attempt";
  static final String MEMBER = "memberId";

  private final MDC.MDCCloseable[] fields;

  private AttemptLogFields(
      String jobId, String runId, String taskId, int attempt, String memberId) {
    this.fields =
        new MDC.MDCCloseable[] {
          MDC.putCloseable(JOB, jobId),
          MDC.putCloseable(RUN, runId),
          MDC.putCloseable(TASK, taskId),
          MDC.putCloseable(ATTEMPT, Integer.toString(attempt)),
          MDC.putCloseable(MEMBER, memberId)
        };
  }

  static AttemptLogFields of(Assignment a) {
    return new AttemptLogFields(
        a.jobId(), a.runId(), a.taskId(), a.attempt(), WorkerInfo.memberOf(a.worker()));
  }

  static AttemptLogFields of(TaskRunner.AttemptKey key, String memberId) {
    return new AttemptLogFields(key.jobId(), key.runId(), key.taskId(), key.attempt(), memberId);
  }

  @Override
  public void close() {
    for (MDC.MDCCloseable field : fields) {
      field.close();
    }
  }
}
