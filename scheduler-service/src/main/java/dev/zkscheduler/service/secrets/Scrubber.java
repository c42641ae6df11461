package dev.zkscheduler.service.secrets;

import java.util.Comparator;
import java.util.List;

/**
 * Replaces resolved secret values in text a task produced (a command's output, an exception's
 * message) with {@link Redaction#MARKER} before it becomes the attempt's message, which is stored
 * and answered to every role. Values shorter than {@value #MIN_LENGTH} characters are left alone:
 * replacing every "1" or "on" would garble the output and hide nothing worth hiding. Immutable and
 * thread-safe.
 */
public final class Scrubber {

  static final int MIN_LENGTH = 4;

  private static final Scrubber NONE = new Scrubber(List.of());

  /** Longest first, so that a secret containing another is replaced whole. */
  private final List<String> secrets;

  private Scrubber(List<String> secrets) {
    this.secrets = secrets;
  }

  public static Scrubber none() {
    return NONE;
  }

  public static Scrubber of(List<String> secrets) {
    return new Scrubber(
        secrets.stream()
            .filter(s -> s.length() >= MIN_LENGTH)
            .distinct()
            .sorted(Comparator.comparingInt(String::length).reversed())
            .toList());
  }

  public String scrub(String text) {
    if (text == null) {
      return null;
    }
    String scrubbed = text;
    for (String secret : secrets) {
      scrubbed = scrubbed.replace(secret, Redaction.MARKER);
    }
    return scrubbed;
  }
}
