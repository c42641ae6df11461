package dev.zkscheduler.service.secrets;

import dev.zkscheduler.service.secrets.SecretTemplate.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * Where references are resolved: the environment and the file system of the node that runs the
 * attempt, read at call time and never cached, so a rotated secret is used by the next attempt.
 * Thread-safe.
 *
 * <p>A file's content is read as UTF-8, at most {@value #MAX_FILE_BYTES} bytes; one trailing line
 * break ({@code \n} or {@code \r\n}) is dropped, as files written by {@code echo} or most secret
 * stores end with one.
 */
public final class SecretSource {

  public static final int MAX_FILE_BYTES = 64 * 1024;

  private final Function<String, String> environment;

  private SecretSource(Function<String, String> environment) {
    this.environment = environment;
  }

  /** This process's environment and file system. */
  public static SecretSource system() {
    return new SecretSource(System::getenv);
  }

  /** The given environment (for tests) and the real file system. */
  public static SecretSource withEnvironment(Map<String, String> environment) {
    Map<String, String> copy = Map.copyOf(environment);
    return new SecretSource(copy::get);
  }

  /**
   * @throws UnresolvedReferenceException if the variable is unset or the file unreadable; its
   *     message names the reference, never a value
   */
  String resolve(Reference reference) {
    return switch (reference.kind()) {
      case ENV -> {
        String value = environment.apply(reference.name());
        if (value == null) {
          throw new UnresolvedReferenceException(reference + " is not set");
        }
        yield value;
      }
      case FILE -> read(reference);
    };
  }

  private static String read(Reference reference) {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(Path.of(reference.name()))) {
      bytes = in.readNBytes(MAX_FILE_BYTES + 1);
    } catch (IOException | RuntimeException e) {
      // The exception's message is at most the path; its class says what went wrong.
      throw new UnresolvedReferenceException(
          reference + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    if (bytes.length > MAX_FILE_BYTES) {
      throw new UnresolvedReferenceException(
          reference + " is larger than " + MAX_FILE_BYTES + " bytes");
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (text.endsWith("\r\n")) {
      return text.substring(0, text.length() - 2);
    }
    return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
  }
}
