package dev.zkscheduler.service.api;

import dev.zkscheduler.job.JobValidationException;
import dev.zkscheduler.job.JobValidationException.FieldError;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The problems found in one request, each under its JSON path, so that a client sees all of them in
 * one 422 rather than fixing them one round trip at a time.
 *
 * <p>A job is checked in two passes (JSON types, then values), yet its errors are listed in the
 * order of its fields, as if it had been read in one: the first pass {@link #defer}s its errors and
 * the second {@link #visit}s each field in order, which releases the deferred errors of that field
 * before adding its own. Not thread-safe; one per request.
 */
final class FieldErrors {

  private final List<FieldError> errors = new ArrayList<>();
  private final List<FieldError> deferred = new ArrayList<>();

  void add(String field, String message) {
    errors.add(new FieldError(field, message));
  }

  /** Adds {@code e}'s errors, whose fields are relative to the object at {@code prefix}. */
  void addAll(String prefix, JobValidationException e) {
    e.errors().forEach(err -> add(join(prefix, err.field()), err.message()));
  }

  /** Holds an error until its field is visited (or the check ends). */
  void defer(String field, String message) {
    deferred.add(new FieldError(field, message));
  }

  /** Releases the deferred errors of exactly {@code field}. */
  void visit(String field) {
    release(field, false);
  }

  /**
   * Releases the deferred errors of {@code field} and of everything inside it; for parts that the
   * first pass could not read, so the second has nothing inside them to visit.
   *
   * @return whether there were any
   */
  boolean visitAll(String field) {
    return release(field, true);
  }

  void throwIfAny() {
    errors.addAll(deferred);
    deferred.clear();
    if (!errors.isEmpty()) {
      throw new JobValidationException(errors);
    }
  }

  private boolean release(String field, boolean inside) {
    boolean any = false;
    for (Iterator<FieldError> it = deferred.iterator(); it.hasNext(); ) {
      FieldError e = it.next();
      String f = e.field();
      if (f.equals(field) || (inside && (f.startsWith(field + ".") || f.startsWith(field + "[")))) {
        errors.add(e);
        it.remove();
        any = true;
      }
    }
    return any;
  }

  private static String join(String prefix, String field) {
    if (prefix.isEmpty()) {
      return field;
    }
    return field.isEmpty() ? prefix : prefix + "." + field;
  }
}
