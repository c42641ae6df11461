package dev.zkscheduler.service.secrets;

/**
 * A reference that could not be resolved on this node: an unset variable, an unreadable file. The
 * message names the reference and never a secret value, so it may be logged and answered.
 */
public final class UnresolvedReferenceException extends RuntimeException {

  UnresolvedReferenceException(String message) {
    super(message);
  }
}
