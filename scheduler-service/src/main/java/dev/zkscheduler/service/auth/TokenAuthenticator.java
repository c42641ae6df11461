package dev.zkscheduler.service.auth;

import io.dropwizard.auth.Authenticator;
import io.dropwizard.auth.Authorizer;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Bearer tokens from config. Every configured token is compared in constant time, so response
 * timing reveals nothing about which prefix matched.
 */
public final class TokenAuthenticator implements Authenticator<String, Caller>, Authorizer<Caller> {

  private record Entry(byte[] token, Caller caller) {}

  private final List<Entry> entries;

  /** {@code callers} maps each accepted token to the caller it identifies. */
  public TokenAuthenticator(Map<String, Caller> callers) {
    this.entries =
        callers.entrySet().stream()
            .map(e -> new Entry(e.getKey().getBytes(StandardCharsets.UTF_8), e.getValue()))
            .toList();
  }

  @Override
  public Optional<Caller> authenticate(String credentials) {
    byte[] presented = credentials.getBytes(StandardCharsets.UTF_8);
    Caller match = null;
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(entry.token(), presented)) {
        match = entry.caller();
      }
    }
    return Optional.ofNullable(match);
  }

  @Override
  public boolean authorize(Caller caller, String role, ContainerRequestContext request) {
    return caller.role().includes(Role.valueOf(role));
  }
}
