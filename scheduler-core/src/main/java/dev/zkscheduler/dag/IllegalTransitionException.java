package dev.zkscheduler.dag;

/** A state change that the transition table does not allow; a bug in the caller. */
public class IllegalTransitionException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  public IllegalTransitionException(String what, Enum<?> from, Enum<?> to) {
    super("illegal " + what + " transition " + from + " -> " + to);
  }
}
