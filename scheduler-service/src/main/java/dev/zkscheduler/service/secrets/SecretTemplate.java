package dev.zkscheduler.service.secrets;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A header or environment value as a task's config holds it: literal text with any number of
 * secret references, {@code ${env:NAME}} (an environment variable of the node that runs the
 * attempt) and {@code ${file:/absolute/path}} (a file on that node). {@code $${} is a literal
 * {@code ${}; a {@code $} not followed by {@code {} is literal too. Anything else that starts with
 * {@code ${} is malformed, so that a typo is refused when the job is written rather than sent as
 * text at run time.
 *
 * <p>Messages about a malformed value name the character position and never the value: a value
 * with a stray {@code ${} may be a literal secret. Immutable and thread-safe.
 */
public final class SecretTemplate {

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final List<Object> parts;

  private SecretTemplate(List<Object> parts) {
    this.parts = List.copyOf(parts);
  }

  /** What a reference names. */
  public enum Kind {
    ENV,
    FILE
  }

  /** One {@code ${kind:name}}; {@link #toString} gives it back as written. */
  public record Reference(Kind kind, String name) {
    @Override
    public String toString() {
      return "${" + kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + name + "}";
    }
  }

  /**
   * @throws IllegalArgumentException with a message fit for a 422 (it never quotes the value)
   */
  public static SecretTemplate parse(String value) {
    List<Object> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < value.length()) {
      if (value.startsWith("$${", i)) {
        literal.append("${");
        i += 3;
      } else if (value.startsWith("${", i)) {
        int end = value.indexOf('}', i + 2);
        if (end < 0) {
          throw new IllegalArgumentException(
              "has a '${' at character "
                  + (i + 1)
                  + " that no '}' closes; write '$${' for a literal '${'");
        }
        Reference reference = reference(value.substring(i + 2, end), i + 1);
        if (literal.length() > 0) {
          parts.add(literal.toString());
          literal.setLength(0);
        }
        parts.add(reference);
        i = end + 1;
      } else {
        literal.append(value.charAt(i));
        i++;
      }
    }
    if (literal.length() > 0) {
      parts.add(literal.toString());
    }
    return new SecretTemplate(parts);
  }

  /** Why {@code value} cannot be parsed, or empty when it can. */
  public static Optional<String> problem(String value) {
    try {
      parse(value);
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
  }

  private static Reference reference(String body, int position) {
    if (body.startsWith("env:") && ENV_NAME.matcher(body.substring(4)).matches()) {
      return new Reference(Kind.ENV, body.substring(4));
    }
    if (body.startsWith("file:/") && body.indexOf('\0') < 0) {
      return new Reference(Kind.FILE, body.substring(5));
    }
    throw new IllegalArgumentException(
        "has a reference at character "
            + position
            + " that is neither ${env:NAME} (letters, digits, '_') nor ${file:/absolute/path};"
            + " write '$${' for a literal '${'");
  }

  public List<Reference> references() {
    return parts.stream().filter(Reference.class::isInstance).map(Reference.class::cast).toList();
  }

  /**
   * The value with every reference replaced by what {@code source} holds for it.
   *
   * @throws UnresolvedReferenceException naming the first reference that could not be resolved
   */
  public Resolved resolve(SecretSource source) {
    StringBuilder value = new StringBuilder();
    List<String> secrets = new ArrayList<>();
    for (Object part : parts) {
      if (part instanceof Reference reference) {
        String secret = source.resolve(reference);
        secrets.add(secret);
        value.append(secret);
      } else {
        value.append((String) part);
      }
    }
    return new Resolved(value.toString(), secrets);
  }

  /** A resolved value and the secrets that went into it, for {@link Scrubber}. */
  public record Resolved(String value, List<String> secrets) {
    public Resolved {
      secrets = List.copyOf(secrets);
    }
  }
}
