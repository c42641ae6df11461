package dev.zkscheduler.cluster.zk;

import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.error.StoreUnavailableException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.zookeeper.KeeperException;

/**
 * Writes the reports that wait at the same moment in one multi: a group commit. A worker's task
 * threads report as their handlers end; while one thread's write is at ZooKeeper, the reports that
 * arrive wait, and the next thread to write takes all of them. Each report was a multi of its own,
 * and a multi costs a quorum round on every server whatever it holds, so under load the reports
 * were the largest share of ZooKeeper's work per fire. No thread of its own and no delay: a report
 * that finds nobody writing is written at once, alone.
 *
 * <p>A grouped write is all or nothing. When ZooKeeper refuses one of its ops (an assignment taken
 * back, a report already written by a resend, the session's worker node gone), every report of the
 * group is written again alone, so each gets the answer it would have had alone. When the write's
 * outcome is unknown (the connection was lost), every caller gets {@link StoreUnavailableException}
 * and retries, as a lone report would. Thread-safe.
 */
final class GroupedReports {

  /** One report waiting to be written. */
  record Report(Assignment assignment, byte[] data) {}

  /** How reports reach ZooKeeper. */
  interface Writes {
    /**
     * Writes every report of one worker in one multi.
     *
     * @throws KeeperException if ZooKeeper refused one of its ops (nothing was written)
     * @throws StoreUnavailableException if the outcome is unknown
     */
    void together(String worker, List<Report> reports) throws KeeperException;

    /** Writes one report; see {@link ZkWorkerSeat#report}. */
    boolean alone(Report report);
  }

  /** At most this many reports in one multi. */
  static final int MAX_REPORTS = 64;

  /** At most this many bytes of reports in one multi, far below ZooKeeper's 1 MiB packet limit. */
  static final int MAX_BYTES = 256 * 1024;

  private final Writes writes;
  private final Object lock = new Object();
  private final ArrayDeque<Waiting> queue = new ArrayDeque<>();
  private boolean writing;
  private long groupedWrites;
  private long groupedReports;

  GroupedReports(Writes writes) {
    this.writes = writes;
  }

  /**
   * Writes {@code report}, with whatever else waits; returns as {@link Writes#alone} would.
   *
   * @throws StoreUnavailableException if ZooKeeper could not be reached, or the thread was
   *     interrupted before its report was written
   */
  boolean write(Report report) {
    Waiting me = new Waiting(report);
    boolean interrupted = false;
    try {
      while (true) {
        List<Waiting> group;
        synchronized (lock) {
          if (!me.queued) {
            queue.add(me);
            me.queued = true;
          }
          while (!me.done && writing) {
            try {
              lock.wait();
            } catch (InterruptedException e) {
              interrupted = true;
              if (queue.remove(me)) {
                throw new StoreUnavailableException("interrupted while reporting", e);
              }
              // A writer holds it: its answer comes with that write.
            }
          }
          if (me.done) {
            return me.answer();
          }
          writing = true;
          group = take();
        }
        try {
          write(group);
        } finally {
          synchronized (lock) {
            writing = false;
            lock.notifyAll();
          }
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The reports to write now, oldest first, within the group's bounds; under {@link #lock}. */
  private List<Waiting> take() {
    List<Waiting> group = new ArrayList<>();
    int bytes = 0;
    while (!queue.isEmpty() && group.size() < MAX_REPORTS) {
      Waiting next = queue.peek();
      if (!group.isEmpty() && bytes + next.report.data().length > MAX_BYTES) {
        break;
      }
      bytes += next.report.data().length;
      group.add(queue.poll());
    }
    return group;
  }

  /**
   * Writes the group; every report of it is answered when this returns or throws. The writing
   * thread's interrupt flag (left by a handler of its own) is put aside meanwhile: it would fail
   * the others' reports.
   */
  private void write(List<Waiting> group) {
    boolean interrupted = Thread.interrupted();
    try {
      writeGroup(group);
    } catch (RuntimeException | Error e) {
      // Nobody else would answer them: a caller whose report was taken waits for its answer.
      for (Waiting w : group) {
        w.settleIfOpen(new StoreUnavailableException("the report writer failed: " + e, e));
      }
      throw e;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void writeGroup(List<Waiting> group) {
    Map<String, List<Waiting>> byWorker = new LinkedHashMap<>();
    for (Waiting w : group) {
      byWorker.computeIfAbsent(w.report.assignment().worker(), k -> new ArrayList<>()).add(w);
    }
    for (Map.Entry<String, List<Waiting>> one : byWorker.entrySet()) {
      List<Waiting> reports = one.getValue();
      if (reports.size() == 1) {
        alone(reports.get(0));
        continue;
      }
      try {
        writes.together(one.getKey(), reports.stream().map(w -> w.report).toList());
        synchronized (lock) {
          groupedWrites++;
          groupedReports += reports.size();
        }
        reports.forEach(w -> w.settle(true, null));
      } catch (KeeperException refused) {
        // Which op was refused matters to its caller only: each is written again alone.
        reports.forEach(this::alone);
      } catch (RuntimeException unknown) {
        reports.forEach(w -> w.settle(false, unknown));
      }
    }
  }

  private void alone(Waiting w) {
    try {
      w.settle(writes.alone(w.report), null);
    } catch (RuntimeException e) {
      w.settle(false, e);
    }
  }

  /** Reports waiting for a write; for tests. */
  int waiting() {
    synchronized (lock) {
      return queue.size();
    }
  }

  /** Multis that held more than one report, and the reports they held; for tests and metrics. */
  long[] grouped() {
    synchronized (lock) {
      return new long[] {groupedWrites, groupedReports};
    }
  }

  /** A report and, once written, its answer; fields guarded by {@link #lock}. */
  private final class Waiting {
    private final Report report;
    private boolean queued;
    private boolean done;
    private boolean written;
    private RuntimeException failure;

    Waiting(Report report) {
      this.report = report;
    }

    void settle(boolean written, RuntimeException failure) {
      synchronized (lock) {
        this.written = written;
        this.failure = failure;
        this.done = true;
        lock.notifyAll();
      }
    }

    void settleIfOpen(RuntimeException failure) {
      synchronized (lock) {
        if (!done) {
          settle(false, failure);
        }
      }
    }

    boolean answer() {
      synchronized (lock) {
        if (failure != null) {
          throw failure;
        }
        return written;
      }
    }
  }
}
