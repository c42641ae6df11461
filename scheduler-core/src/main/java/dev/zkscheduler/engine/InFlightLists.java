package dev.zkscheduler.engine;

import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.ScheduleState;
import dev.zkscheduler.store.StoreOp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lists of runs in flight that the jobs' schedule states hold ({@link
 * ScheduleState#activeRunIds}), kept by the one write path ({@link TermState}) so that at every
 * committed state every non-terminal run is listed in its job's schedule state:
 *
 * <ul>
 *   <li>a multi that creates a non-terminal run writes its job's schedule state listing it (the
 *       write is added when the multi has none, the record created when the job has none);
 *   <li>a schedule state is not deleted while the leader holds a run of its job in flight, nor
 *       while it lists a run this term does not know ended;
 *   <li>ending a run writes no list: the ids this term knows ended (terminal or deleted, since it
 *       wrote or read them) are dropped the next time the record is written, by a fire, a new
 *       schedule or {@link RunListTidying}.
 * </ul>
 *
 * Tick thread only.
 */
final class InFlightLists {

  /**
   * The most runs one job may have in flight (non-terminal, listed in its schedule state). Each
   * listed id costs about 30 bytes of the record, so the cap keeps the list far below the store's
   * record budget (256 KiB): a job at the cap has its scheduled fires recorded SKIPPED, and manual
   * and backfill runs over it are not created (see {@link RunCreation}, {@link ControlRequests}).
   */
  static final int MAX_RUNS_IN_FLIGHT = EngineSettings.MAX_RUNS_IN_FLIGHT;

  private final Map<String, JobEntry> jobs;
  private final ActiveRuns active;
  private final FirePlanner planner;

  /**
   * By job, the ids its stored schedule state lists that this term knows ended (terminal, or gone),
   * with when it learned it: dropped from the list the next time the record is written.
   */
  private final Map<String, Map<String, Instant>> endedListed = new HashMap<>();

  InFlightLists(Map<String, JobEntry> jobs, ActiveRuns active, FirePlanner planner) {
    this.jobs = jobs;
    this.active = active;
    this.planner = planner;
  }

  /**
   * Notes listed ids a new term found ended (or gone) when it read the listed runs, at {@code now}.
   */
  void knownEnded(Map<String, java.util.Set<String>> ended, Instant now) {
    ended.forEach(
        (jobId, ids) ->
            ids.forEach(
                id -> endedListed.computeIfAbsent(jobId, j -> new HashMap<>()).put(id, now)));
  }

  /** By job, the listed ids known ended and since when (read only; for the tidy pass). */
  Map<String, Map<String, Instant>> endedListed() {
    return java.util.Collections.unmodifiableMap(endedListed);
  }

  /** Whether {@code stored} lists a run this term does not know ended: one possibly in flight. */
  boolean listsRunsInFlight(String jobId, ScheduleState stored) {
    Map<String, Instant> ended = endedListed.getOrDefault(jobId, Map.of());
    return stored.activeRunIds().stream().anyMatch(id -> !ended.containsKey(id));
  }

  /**
   * How many runs of the job are in flight as far as this term knows: the ids its schedule state
   * lists that are not known ended, or the runs the leader holds, whichever is more.
   */
  int inFlight(String jobId) {
    JobEntry entry = jobs.get(jobId);
    int listed = 0;
    if (entry != null && entry.state != null) {
      Map<String, Instant> ended = endedListed.getOrDefault(jobId, Map.of());
      for (String id : entry.state.value().activeRunIds()) {
        if (!ended.containsKey(id)) {
          listed++;
        }
      }
    }
    return Math.max(listed, active.of(jobId).size());
  }

  /** How many more runs the job may have in flight before {@link #MAX_RUNS_IN_FLIGHT}. */
  int room(String jobId) {
    return Math.max(0, MAX_RUNS_IN_FLIGHT - inFlight(jobId));
  }

  /**
   * A schedule-state write as sent: what it lists, at which version, the runs its multi creates,
   * and whether it was added to the caller's ops.
   */
  record Listing(
      JobEntry entry,
      ScheduleState state,
      int expectedVersion,
      List<String> created,
      boolean added) {}

  /** One multi's ops as they are sent, and what its schedule-state writes list. */
  record Listed(List<StoreOp> ops, Map<String, Listing> listings) {
    java.util.Set<String> jobs() {
      return listings.keySet();
    }
  }

  /**
   * {@code ops} with every schedule-state write listing its job's runs in flight, its version the
   * one the leader knows, and a write added (after the caller's ops) for each job whose
   * non-terminal runs the multi creates without one.
   *
   * @throws IllegalStateException if the multi deletes a schedule state that must stay (see {@link
   *     #checkDeletable}), or writes one of a job the leader does not have
   */
  Listed list(List<StoreOp> ops, Instant now) {
    Map<String, Listing> listing = new LinkedHashMap<>();
    Map<String, List<String>> created = new LinkedHashMap<>();
    for (StoreOp op : ops) {
      if (op instanceof StoreOp.CreateRun c && !c.run().state().isTerminal()) {
        created.computeIfAbsent(c.run().jobId(), j -> new ArrayList<>()).add(c.run().id());
      } else if (op instanceof StoreOp.DeleteScheduleState d) {
        checkDeletable(d.jobId());
      }
    }
    List<StoreOp> out = new ArrayList<>(ops.size() + created.size());
    for (StoreOp op : ops) {
      if (op instanceof StoreOp.PutScheduleState put) {
        String jobId = put.state().jobId();
        Listing l = listing(jobId, put.state(), created.getOrDefault(jobId, List.of()), false);
        com.google.common.base.Preconditions.checkState(
            listing.put(jobId, l) == null, "job %s's schedule state is written twice", jobId);
        out.add(new StoreOp.PutScheduleState(l.state(), l.expectedVersion()));
      } else {
        out.add(op);
      }
    }
    created.forEach(
        (jobId, ids) -> {
          if (!listing.containsKey(jobId)) {
            JobEntry entry = entryOf(jobId);
            ScheduleState progress =
                entry.state != null ? entry.state.value() : firstRecord(entry, now);
            Listing l = listing(jobId, progress, ids, true);
            listing.put(jobId, l);
            out.add(new StoreOp.PutScheduleState(l.state(), l.expectedVersion()));
          }
        });
    return new Listed(out, listing);
  }

  private Listing listing(
      String jobId, ScheduleState progress, List<String> created, boolean added) {
    JobEntry entry = entryOf(jobId);
    List<String> stored = entry.state == null ? List.of() : entry.state.value().activeRunIds();
    Map<String, Instant> ended = endedListed.getOrDefault(jobId, Map.of());
    java.util.Set<String> ids = new java.util.LinkedHashSet<>();
    for (String id : stored) {
      if (!ended.containsKey(id)) {
        ids.add(id);
      }
    }
    ids.addAll(created);
    return new Listing(
        entry,
        progress.withActiveRunIds(List.copyOf(ids)),
        entry.state == null ? StoreOp.CREATE : entry.state.version(),
        created,
        added);
  }

  private JobEntry entryOf(String jobId) {
    JobEntry entry = jobs.get(jobId);
    com.google.common.base.Preconditions.checkState(
        entry != null,
        "job %s's schedule state or runs written while the leader has no job",
        jobId);
    return entry;
  }

  /** The record of a job that has none yet, created to list a run (a job without a schedule). */
  private static ScheduleState firstRecord(JobEntry entry, Instant now) {
    return entry.job.schedule() != null
        ? FirePlanner.fresh(entry, now)
        : new ScheduleState(entry.job.id(), null, null, entry.definitionVersion, entry.created);
  }

  /**
   * Rule 3's other half: a schedule state is not deleted while the leader holds a run of its job in
   * flight, nor while it lists one this term does not know ended (the new leader would not find
   * it).
   */
  private void checkDeletable(String jobId) {
    JobEntry entry = jobs.get(jobId);
    boolean listsInFlight =
        entry != null && entry.state != null && listsRunsInFlight(jobId, entry.state.value());
    com.google.common.base.Preconditions.checkState(
        active.of(jobId).isEmpty() && !active.hasStagedOf(jobId) && !listsInFlight,
        "job %s's schedule state would be deleted while it lists a run in flight",
        jobId);
  }

  /** Takes a committed multi into the jobs' entries and what is known ended. */
  void committed(Listed listed, List<StoreOp> sent, Instant now) {
    for (Listing l : listed.listings().values()) {
      JobEntry entry = l.entry();
      entry.state =
          new Versioned<>(
              l.state(), l.expectedVersion() == StoreOp.CREATE ? 0 : l.expectedVersion() + 1);
      String jobId = entry.job.id();
      // Every id known ended when the write was built was dropped; keep only what a multi sent
      // with it ended since (a run created again under a dropped id is listed anew).
      Map<String, Instant> ended = endedListed.get(jobId);
      if (ended != null) {
        ended.keySet().retainAll(l.state().activeRunIds());
        ended.keySet().removeAll(l.created());
        if (ended.isEmpty()) {
          endedListed.remove(jobId);
        }
      }
      if (l.added() && jobs.get(jobId) == entry) {
        planner.schedule(entry);
      }
    }
    noteEnded(sent, now);
  }

  /** Notes the listed runs a committed multi ended or deleted, and the lists it deleted. */
  private void noteEnded(List<StoreOp> committed, Instant now) {
    for (StoreOp op : committed) {
      if (op instanceof StoreOp.UpdateRun u && u.run().state().isTerminal()) {
        endedListedRun(u.run().jobId(), u.run().id(), now);
      } else if (op instanceof StoreOp.DeleteRun d) {
        endedListedRun(d.jobId(), d.runId(), now);
      } else if (op instanceof StoreOp.DeleteScheduleState d) {
        endedListed.remove(d.jobId());
      }
    }
  }

  private void endedListedRun(String jobId, String runId, Instant now) {
    JobEntry entry = jobs.get(jobId);
    if (entry != null
        && entry.state != null
        && entry.state.value().activeRunIds().contains(runId)) {
      endedListed.computeIfAbsent(jobId, j -> new HashMap<>()).putIfAbsent(runId, now);
    }
  }
}
