package dev.zkscheduler.service.auth;

import java.security.Principal;

/** Who made a request: the configured token's name and role. */
public record Caller(String name, Role role) implements Principal {

  @Override
  public String getName() {
    return name;
  }
}
