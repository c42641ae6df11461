package dev.zkscheduler.service.auth;

import java.util.Locale;

/** Roles, each including the ones before it: viewer < operator < admin. */
public enum Role {
  VIEWER,
  OPERATOR,
  ADMIN;

  public boolean includes(Role other) {
    return compareTo(other) >= 0;
  }

  @com.fasterxml.jackson.annotation.JsonCreator
  public static Role parse(String value) {
    return valueOf(value.trim().toUpperCase(Locale.ROOT));
  }

  /** The names used in {@code @RolesAllowed}. */
  public static final String VIEWER_NAME = "VIEWER";

  public static final String OPERATOR_NAME = "OPERATOR";
  public static final String ADMIN_NAME = "ADMIN";
}
