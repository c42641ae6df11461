package dev.zkscheduler.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The JSON paths at which two documents differ, in the notation of the API's field errors ({@code
 * schedule.cron}, {@code tasks[1].config.headers.Authorization}). A field present on one side only
 * is a difference at its own path; arrays are compared element by element; numbers by value, so
 * {@code 2} and {@code 2.0} are the same. Stateless.
 */
public final class JsonDifferences {

  private JsonDifferences() {}

  public static List<String> between(JsonNode a, JsonNode b) {
    List<String> paths = new ArrayList<>();
    compare("", a, b, paths);
    return paths;
  }

  private static void compare(String path, JsonNode a, JsonNode b, List<String> paths) {
    boolean aMissing = a == null || a.isMissingNode() || a.isNull();
    boolean bMissing = b == null || b.isMissingNode() || b.isNull();
    if (aMissing || bMissing) {
      if (aMissing != bMissing) {
        paths.add(path);
      }
      return;
    }
    if (a.isObject() && b.isObject()) {
      Set<String> names = new LinkedHashSet<>();
      a.fieldNames().forEachRemaining(names::add);
      b.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        compare(path.isEmpty() ? name : path + "." + name, a.get(name), b.get(name), paths);
      }
    } else if (a.isArray() && b.isArray()) {
      for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
        compare(path + "[" + i + "]", a.get(i), b.get(i), paths);
      }
    } else if (a.isNumber() && b.isNumber()) {
      if (a.decimalValue().compareTo(b.decimalValue()) != 0) {
        paths.add(path);
      }
    } else if (!a.equals(b)) {
      paths.add(path);
    }
  }
}
