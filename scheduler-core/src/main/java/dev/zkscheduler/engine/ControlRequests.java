package dev.zkscheduler.engine;

import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.error.StoreUnavailableException;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.ControlRequest;
import dev.zkscheduler.store.StoreOp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the requests any node may write and only the leader may act on: trigger, backfill and
 * cancel. A request is deleted in (or after) the write that carries it out, never before, so a
 * leader dying midway leaves it for the next one; carrying a request out twice changes nothing.
 */
final class ControlRequests {

  private static final Logger log = LoggerFactory.getLogger(ControlRequests.class);

  /** How long a request waits for its job's definition to reach the leader. */
  static final Duration MAX_WAIT = Duration.ofMinutes(5);

  private final TermState state;
  private final RunCreation creation;

  ControlRequests(TermState state, RunCreation creation) {
    this.state = state;
    this.creation = creation;
  }

  void consume() {
    for (ControlRequest request : state.store().pendingRequests()) {
      JobEntry entry = state.jobs().get(request.jobId());
      List<StoreOp> ops = new ArrayList<>();
      ops.add(new StoreOp.DeleteRequest(request.id()));
      if (entry == null) {
        String why = whyNotWaiting(request);
        if (why == null) {
          continue;
        }
        log.warn(
            "request {} ({} of {} runs) dropped: {}",
            request.id(),
            request.kind(),
            request.runIds().size(),
            why);
        state.metrics().requestDropped();
        state.commitOrDrop(ops);
        continue;
      }
      boolean done =
          state.forJob(
              request.jobId(),
              "carrying out request " + request.id() + " (" + request.kind() + ")",
              () -> {
                switch (request.kind()) {
                  case TRIGGER, BACKFILL -> createRuns(request, entry, ops);
                  case CANCEL -> cancel(request, entry, ops);
                }
              });
      if (!done) {
        // Left in place it would fail again on every tick; the failure is logged and counted.
        state.commitOrDrop(List.of(new StoreOp.DeleteRequest(request.id())));
      }
    }
  }

  /**
   * Null when a request for a job this leader does not know should wait: the job exists in the
   * store (created on another node just before, its definition not yet delivered by the watch) and
   * the request is younger than {@link #MAX_WAIT}. Otherwise why it is dropped.
   */
  private String whyNotWaiting(ControlRequest request) {
    boolean exists;
    try {
      exists = state.store().job(request.jobId()).isPresent();
    } catch (StoreUnavailableException e) {
      throw e;
    } catch (RuntimeException unreadable) {
      return "job " + request.jobId() + " cannot be read: " + unreadable.getMessage();
    }
    if (!exists) {
      return "job " + request.jobId() + " does not exist";
    }
    Duration waited = Duration.between(request.requestedAt(), state.clock().instant());
    if (waited.compareTo(MAX_WAIT) < 0) {
      log.debug("request {} waits for job {} to reach this leader", request.id(), request.jobId());
      return null;
    }
    // A definition that never reaches the leader (a watch that is broken, or another process
    // writing to a store this node does not watch) must not hold a request slot forever.
    return "job " + request.jobId() + " did not reach this leader within " + MAX_WAIT;
  }

  private void createRuns(ControlRequest request, JobEntry entry, List<StoreOp> ops) {
    RunTrigger trigger =
        request.kind() == ControlRequest.Kind.TRIGGER ? RunTrigger.MANUAL : RunTrigger.BACKFILL;
    List<FirePlanner.Fire> fires = new ArrayList<>();
    for (int i = 0; i < request.runIds().size(); i++) {
      Instant nominal =
          request.nominalTimes().size() > i ? request.nominalTimes().get(i) : request.requestedAt();
      fires.add(new FirePlanner.Fire(request.runIds().get(i), nominal, trigger));
    }
    // The job's runs in flight stay within the cap: the runs over it are not created, and the
    // request is deleted all the same (retrying it would only wait for room on every tick).
    int room = state.lists().room(entry.job.id());
    if (fires.size() > room) {
      int dropped = fires.size() - room;
      log.warn(
          "request {} ({} of job {}): {} of its {} runs not created: the job has {} runs in flight,"
              + " and a job may have at most {}",
          request.id(),
          request.kind(),
          entry.job.id(),
          dropped,
          fires.size(),
          state.lists().inFlight(entry.job.id()),
          InFlightLists.MAX_RUNS_IN_FLIGHT);
      state.metrics().runsOverInFlightCap(dropped);
      fires = new ArrayList<>(fires.subList(0, room));
    }
    // The request is deleted with the last chunk: if this leader dies midway, the next one carries
    // the request out again, and the runs already created are duplicates prevented.
    int perCommit = state.settings().maxFiresPerCommit();
    for (int from = 0; from < fires.size(); from += perCommit) {
      int to = Math.min(fires.size(), from + perCommit);
      creation.createUnconditionally(
          entry, fires.subList(from, to), to == fires.size() ? ops : new ArrayList<>());
    }
    if (fires.isEmpty()) {
      state.commitOrDrop(ops);
    }
  }

  private void cancel(ControlRequest request, JobEntry entry, List<StoreOp> ops) {
    for (String runId : request.runIds()) {
      Versioned<Run> run = state.active().get(entry.job.id(), runId);
      if (run != null) {
        state.cancel(entry, run, "cancelled by request " + request.id());
      }
    }
    // The cancellation is written before the request is deleted: a leader dying between the two
    // leaves the request for the next one, and cancelling twice changes nothing.
    state.flush();
    state.commitOrDrop(ops);
  }
}
