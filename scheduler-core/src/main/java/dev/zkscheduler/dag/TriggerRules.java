package dev.zkscheduler.dag;

import java.util.Collection;

/**
 * Decides whether a task may start, from its trigger rule and its upstream tasks' states. Pure.
 *
 * <p>Upstream states count as: success = SUCCEEDED; failure = FAILED, TIMED_OUT, UPSTREAM_FAILED;
 * neutral = SKIPPED, CANCELLED; pending = PENDING, RUNNING, RETRY_WAIT. A task with no upstream is
 * always READY.
 *
 * <table>
 *   <caption>Rules</caption>
 *   <tr><th>rule</th><th>READY when</th><th>otherwise, once decided</th></tr>
 *   <tr><td>ALL_SUCCESS</td><td>all succeeded</td><td>UPSTREAM_FAILED as soon as one failed;
 *       SKIPPED as soon as one was skipped or cancelled</td></tr>
 *   <tr><td>ALL_DONE</td><td>all terminal, whatever their outcome</td><td>—</td></tr>
 *   <tr><td>ONE_FAILED</td><td>as soon as one failed</td><td>SKIPPED when all are terminal and none
 *       failed</td></tr>
 *   <tr><td>ONE_SUCCESS</td><td>as soon as one succeeded</td><td>UPSTREAM_FAILED when all are
 *       terminal and none succeeded</td></tr>
 * </table>
 */
public final class TriggerRules {

  private TriggerRules() {}

  public static TriggerDecision decide(TriggerRule rule, Collection<TaskState> upstream) {
    if (upstream.isEmpty()) {
      return TriggerDecision.READY;
    }
    int succeeded = 0;
    int failed = 0;
    int neutral = 0;
    int pending = 0;
    for (TaskState state : upstream) {
      switch (state) {
        case SUCCEEDED -> succeeded++;
        case FAILED, TIMED_OUT, UPSTREAM_FAILED -> failed++;
        case SKIPPED, CANCELLED -> neutral++;
        case PENDING, RUNNING, RETRY_WAIT -> pending++;
      }
    }
    boolean allTerminal = pending == 0;
    return switch (rule) {
      case ALL_SUCCESS -> {
        if (failed > 0) {
          yield TriggerDecision.UPSTREAM_FAILED;
        }
        if (neutral > 0) {
          yield TriggerDecision.SKIPPED;
        }
        yield allTerminal ? TriggerDecision.READY : TriggerDecision.WAIT;
      }
      case ALL_DONE -> allTerminal ? TriggerDecision.READY : TriggerDecision.WAIT;
      case ONE_FAILED -> {
        if (failed > 0) {
          yield TriggerDecision.READY;
        }
        yield allTerminal ? TriggerDecision.SKIPPED : TriggerDecision.WAIT;
      }
      case ONE_SUCCESS -> {
        if (succeeded > 0) {
          yield TriggerDecision.READY;
        }
        yield allTerminal ? TriggerDecision.UPSTREAM_FAILED : TriggerDecision.WAIT;
      }
    };
  }
}
