package dev.zkscheduler.service.audit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a resource method that changes state: each call of it, allowed or refused, is one line of
 * the audit log ({@link AuditLog}) under {@link #value} as its action.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Audited {

  /** The action as the audit line names it: {@code create}, {@code update}, {@code pause} … */
  String value();
}
