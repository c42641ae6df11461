package dev.zkscheduler.store.zk;

import com.codahale.metrics.Counter;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.ListedRuns;
import dev.zkscheduler.store.ScheduleState;
import dev.zkscheduler.store.codec.CodecException;
import dev.zkscheduler.store.codec.RunCodec;
import dev.zkscheduler.store.codec.ScheduleStateCodec;
import dev.zkscheduler.zk.ZkLayout;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads of scheduler state: schedule states and runs, which only the leader writes ({@link
 * LeaderCommits}) but anyone may read. Runs per job are bounded by retention; the runs not yet
 * finished are found through the lists of runs in flight their jobs' schedule states hold.
 * Thread-safe.
 */
final class SchedulerStateReads {

  private static final Logger log = LoggerFactory.getLogger(SchedulerStateReads.class);

  private final CuratorFramework client;
  private final ZkLayout layout;
  private final PipelinedReader reader;
  private final Counter unreadable;

  SchedulerStateReads(
      CuratorFramework client, ZkLayout layout, PipelinedReader reader, Counter unreadable) {
    this.client = client;
    this.layout = layout;
    this.reader = reader;
    this.unreadable = unreadable;
  }

  /**
   * Decodes a run read in bulk; null when it cannot be read. One unreadable run must not fail the
   * read of every active run (and so every new leader's rebuild) or a job's run listing: it is
   * counted, logged, and left out.
   */
  private Run decodeRun(byte[] data) {
    try {
      return RunCodec.decode(data);
    } catch (CodecException e) {
      unreadable.inc();
      log.error("a run in ZooKeeper cannot be read and is left out: {}", e.getMessage());
      return null;
    }
  }

  Optional<Versioned<ScheduleState>> scheduleState(String jobId) {
    return ZkCall.run(() -> reader.read(layout.schedule(jobId), ScheduleStateCodec::decode));
  }

  Map<String, Versioned<ScheduleState>> scheduleStates(Collection<String> jobIds) {
    return ZkCall.run(
        () -> {
          Map<String, String> jobOfPath = new HashMap<>();
          for (String id : jobIds) {
            jobOfPath.put(layout.schedule(id), id);
          }
          return statesByJob(jobOfPath);
        });
  }

  /**
   * The note of first schedule states left unwritten (an ISO-8601 instant). One that cannot be read
   * (empty, or not an instant) is logged and reads as {@link java.time.Instant#MAX}: see {@link
   * dev.zkscheduler.store.SchedulerStore#firstStatesPendingSince}.
   */
  Optional<java.time.Instant> firstStatesPendingSince() {
    return ZkCall.run(
        () -> {
          try {
            return Optional.ofNullable(
                decodeInstant(client.getData().forPath(layout.firstStatesPending())));
          } catch (org.apache.zookeeper.KeeperException.NoNodeException absent) {
            return Optional.empty();
          }
        });
  }

  private static java.time.Instant decodeInstant(byte[] data) {
    String text = data == null ? "" : new String(data, java.nio.charset.StandardCharsets.UTF_8);
    try {
      return java.time.Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      log.error(
          "the note of first schedule states left unwritten holds '{}', not an instant: jobs"
              + " without a schedule state are planned from this term's start, and the note is"
              + " replaced",
          text);
      return java.time.Instant.MAX;
    }
  }

  Map<String, Versioned<ScheduleState>> allScheduleStates() {
    return ZkCall.run(
        () -> {
          Map<String, String> jobOfPath = new HashMap<>();
          reader
              .listBuckets(layout::scheduleBucket)
              .forEach((bucket, ids) -> ids.forEach(id -> jobOfPath.put(bucket + "/" + id, id)));
          return statesByJob(jobOfPath);
        });
  }

  Optional<Versioned<Run>> run(String jobId, String runId) {
    return ZkCall.run(() -> reader.read(layout.run(jobId, runId), RunCodec::decode));
  }

  /** Newest first, read one by one: only as many as {@code limit} asks for are read. */
  List<Versioned<Run>> runs(String jobId, int limit) {
    return ZkCall.run(
        () -> {
          List<Versioned<Run>> runs = new ArrayList<>();
          for (String id : newestFirst(jobId)) {
            if (runs.size() >= limit) {
              break;
            }
            reader
                .read(layout.run(jobId, id), this::decodeRun)
                .filter(v -> v.value() != null)
                .ifPresent(runs::add);
          }
          return runs;
        });
  }

  List<String> runIds(String jobId) {
    return ZkCall.run(() -> newestFirst(jobId));
  }

  /**
   * Every run {@code states} list, read with pipelined requests; see {@link ListedRuns}. A new
   * leader's takeover costs one read per listed id (runs in flight, plus ended runs not yet
   * dropped, which the leader's tidy pass keeps few).
   */
  ListedRuns listedRuns(Collection<Versioned<ScheduleState>> states) {
    return ZkCall.run(
        () -> {
          Map<String, String[]> listed = new HashMap<>();
          Map<String, Set<String>> ended = new HashMap<>();
          for (Versioned<ScheduleState> state : states) {
            String jobId = state.value().jobId();
            for (String runId : state.value().activeRunIds()) {
              String path;
              try {
                path = layout.run(jobId, runId);
              } catch (IllegalArgumentException notAName) {
                // Not a run this scheduler wrote (a hand-edited record): leaving it out keeps every
                // other job's takeover going; it is dropped from the list with the next write.
                unreadable.inc();
                log.error(
                    "the schedule state of job '{}' lists '{}', which is not a run id; left out",
                    jobId,
                    runId);
                ended.computeIfAbsent(jobId, j -> new HashSet<>()).add(runId);
                continue;
              }
              listed.put(path, new String[] {jobId, runId});
            }
          }
          Map<String, Versioned<Run>> read = reader.readAll(listed.keySet(), this::decodeRun);
          List<Versioned<Run>> active = new ArrayList<>();
          listed.forEach(
              (path, ids) -> {
                Versioned<Run> run = read.get(path);
                if (run == null || (run.value() != null && run.value().state().isTerminal())) {
                  ended.computeIfAbsent(ids[0], j -> new HashSet<>()).add(ids[1]);
                } else if (run.value() != null) {
                  active.add(run);
                }
              });
          return new ListedRuns(active, ended);
        });
  }

  private Map<String, Versioned<ScheduleState>> statesByJob(Map<String, String> jobOfPath)
      throws Exception {
    Map<String, Versioned<ScheduleState>> states = new HashMap<>();
    reader
        .readAll(jobOfPath.keySet(), ScheduleStateCodec::decode)
        .forEach((path, state) -> states.put(jobOfPath.get(path), state));
    return states;
  }

  /** Run ids sort by time, so reversed they are newest first. */
  private List<String> newestFirst(String jobId) throws Exception {
    List<String> ids;
    try {
      ids = new ArrayList<>(client.getChildren().forPath(layout.runs(jobId)));
    } catch (KeeperException.NoNodeException e) {
      return List.of();
    }
    ids.sort(Comparator.reverseOrder());
    return ids;
  }
}
