package dev.zkscheduler.service.secrets;

/** The fixed text that stands for a secret-bearing value wherever the service shows one. */
public final class Redaction {

  /**
   * Answered in place of every {@code http} header value and {@code shell} env value; a {@code PUT}
   * that sends it back keeps the stored value (docs/api.md, "Secrets").
   */
  public static final String MARKER = "<redacted>";

  private Redaction() {}
}
