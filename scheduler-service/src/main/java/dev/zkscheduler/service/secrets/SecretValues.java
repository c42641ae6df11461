package dev.zkscheduler.service.secrets;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A task's secret-bearing map ({@code http} headers, {@code shell} env) resolved for one attempt:
 * the values to use, and a {@link Scrubber} for the secrets that went into them. Built at call time
 * on the node that runs the attempt and dropped with it; never stored.
 */
public record SecretValues(Map<String, String> values, Scrubber scrubber) {

  public SecretValues {
    values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public static SecretValues none() {
    return new SecretValues(Map.of(), Scrubber.none());
  }

  /**
   * Resolves every value of {@code config} (non-string values are used as their text).
   *
   * @param what how a key is named in messages: {@code header}, {@code env}
   * @throws UnresolvedReferenceException naming the key and the reference (or the position of a
   *     malformed one), never a value
   */
  public static SecretValues resolve(String what, Map<?, ?> config, SecretSource source) {
    Map<String, String> values = new LinkedHashMap<>();
    List<String> secrets = new ArrayList<>();
    for (Map.Entry<?, ?> entry : config.entrySet()) {
      String key = String.valueOf(entry.getKey());
      Object raw = entry.getValue();
      if (!(raw instanceof String text)) {
        values.put(key, String.valueOf(raw));
        continue;
      }
      SecretTemplate template;
      try {
        template = SecretTemplate.parse(text);
      } catch (IllegalArgumentException e) {
        throw new UnresolvedReferenceException(what + " '" + key + "' " + e.getMessage());
      }
      try {
        SecretTemplate.Resolved resolved = template.resolve(source);
        values.put(key, resolved.value());
        secrets.addAll(resolved.secrets());
      } catch (UnresolvedReferenceException e) {
        throw new UnresolvedReferenceException(what + " '" + key + "': " + e.getMessage());
      }
    }
    return new SecretValues(values, Scrubber.of(secrets));
  }
}
