package dev.zkscheduler.store.codec;

/** A stored document could not be decoded: corrupt, truncated, or of an unknown format version. */
public class CodecException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public CodecException(String message, Throwable cause) {
    super(message, cause);
  }

  public CodecException(String message) {
    super(message);
  }
}
