package dev.zkscheduler.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version and git revision this service was built from, as the build wrote them into {@code
 * build.properties}. Reading a resource rather than the jar manifest gives the same answer when the
 * classes run from {@code target/classes} (tests, an IDE), where there is no manifest.
 *
 * @param version the Maven project version, {@code dev} when the build did not fill it in
 * @param revision the abbreviated commit id, {@code unknown} outside a git checkout
 */
public record BuildInfo(String version, String revision) {

  private static final String RESOURCE = "build.properties";

  public BuildInfo {
    version = known(version) ? version : "dev";
    revision = known(revision) ? revision : "unknown";
  }

  /** The build of the running service. */
  public static BuildInfo current() {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    return new BuildInfo(properties.getProperty("version"), properties.getProperty("revision"));
  }

  /** Unfiltered placeholders ({@code ${...}}) count as unknown. */
  private static boolean known(String value) {
    return value != null && !value.isBlank() && !value.startsWith("${");
  }

  @Override
  public String toString() {
    return version + " (" + revision + ")";
  }
}
