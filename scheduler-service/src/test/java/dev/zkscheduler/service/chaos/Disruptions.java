package dev.zkscheduler.service.chaos;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * When each member process was cut off from ZooKeeper by a fault: killed, frozen or partitioned. A
 * member's session may end only around such a window (up to {@code grace} after it closes, the
 * session timeout and the leader's noticing); an attempt lost, or a call repeated after its
 * success, outside every window of its member is the scheduler's doing, not the fault's. Graceful
 * stops open no window: a draining member reports what it ran. Thread-safe.
 */
final class Disruptions {

  /** One member's window, {@code to} null while it is still open. */
  record Window(String member, Instant from, Instant to) {}

  private final Duration grace;
  private final List<Window> windows = new ArrayList<>();

  Disruptions(Duration grace) {
    this.grace = grace;
  }

  /** Opens a window for {@code member} now; {@link #close} ends it. */
  synchronized void open(String member, Instant at) {
    windows.add(new Window(member, at, null));
  }

  synchronized void close(String member, Instant at) {
    for (int i = windows.size() - 1; i >= 0; i--) {
      Window w = windows.get(i);
      if (w.member().equals(member) && w.to() == null) {
        windows.set(i, new Window(member, w.from(), at));
        return;
      }
    }
  }

  /** Whether {@code member} was cut off at some instant of [from, to], widened by the grace. */
  synchronized boolean disrupted(String member, Instant from, Instant to) {
    for (Window w : windows) {
      if (!w.member().equals(member)) {
        continue;
      }
      Instant end = w.to() == null ? Instant.MAX : w.to().plus(grace);
      if (!w.from().isAfter(to) && !end.isBefore(from)) {
        return true;
      }
    }
    return false;
  }

  synchronized List<Window> windows() {
    return List.copyOf(windows);
  }
}
