package dev.zkscheduler.lifecycle;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The lifecycle of one startable part, as Curator's {@code LeaderLatch} keeps it: {@link
 * State#LATENT} until {@link #start()}, then {@link State#STARTED}, then {@link State#CLOSED} for
 * good. A part is never restarted, because what it acquired on start (threads, watches, ephemeral
 * nodes) is released exactly once on close.
 *
 * <p>Thread-safe: every transition is a single compare-and-set, so of racing {@link #start()} calls
 * exactly one succeeds, and of racing {@link #close()} calls exactly one sees the state before
 * closing.
 */
public final class Lifecycle {

  /** Where a part is in its life; it only moves forward. */
  public enum State {
    LATENT,
    STARTED,
    CLOSED
  }

  private final String owner;
  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);

  /**
   * @param owner names the part in the exception a misplaced {@link #start()} throws
   */
  public Lifecycle(String owner) {
    this.owner = Objects.requireNonNull(owner, "owner");
  }

  /**
   * Moves from LATENT to STARTED.
   *
   * @throws IllegalStateException if already started, or closed (even if it never started)
   */
  public void start() {
    State was = state.compareAndExchange(State.LATENT, State.STARTED);
    if (was != State.LATENT) {
      throw new IllegalStateException(
          owner + (was == State.STARTED ? " started twice" : " started after close"));
    }
  }

  /**
   * Moves to CLOSED from any state; never throws. Returns the state it left, so that only the one
   * caller that sees {@link State#STARTED} releases what start acquired, and every later call (or a
   * close before start) does nothing.
   */
  public State close() {
    return state.getAndSet(State.CLOSED);
  }

  /** Started and not yet closed: the part's callbacks may act. */
  public boolean isStarted() {
    return state.get() == State.STARTED;
  }

  public State state() {
    return state.get();
  }

  @Override
  public String toString() {
    return owner + " " + state.get();
  }
}
