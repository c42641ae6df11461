package dev.zkscheduler.service.auth;

import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;

/** Who made a request: the configured token's name and role. */
public record Caller(String name, Role role) implements Principal {

  /** Who calls when auth is disabled: every call is allowed, as if by an admin. */
  public static final Caller ANONYMOUS = new Caller("anonymous", Role.ADMIN);

  /** The caller of an authenticated request; {@link #ANONYMOUS} when auth is disabled. */
  public static Caller of(SecurityContext security) {
    return security != null && security.getUserPrincipal() instanceof Caller caller
        ? caller
        : ANONYMOUS;
  }

  @Override
  public String getName() {
    return name;
  }
}
