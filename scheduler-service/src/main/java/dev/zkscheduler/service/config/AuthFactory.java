package dev.zkscheduler.service.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.zkscheduler.service.auth.Caller;
import dev.zkscheduler.service.auth.JsonUnauthorizedHandler;
import dev.zkscheduler.service.auth.Role;
import dev.zkscheduler.service.auth.TokenAuthenticator;
import io.dropwizard.auth.AuthDynamicFeature;
import io.dropwizard.auth.oauth.OAuthCredentialAuthFilter;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.validation.ValidationMethod;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Bearer tokens and their roles. Tokens may come from environment variables: {@code ${VAR}}. */
public class AuthFactory {

  private static final Logger log = LoggerFactory.getLogger(AuthFactory.class);

  @JsonProperty public boolean enabled = true;

  @Valid @NotNull @JsonProperty public List<Token> tokens = new ArrayList<>();

  @ValidationMethod(message = "must list at least one token when auth is enabled")
  @JsonIgnore
  public boolean isTokenListedWhenEnabled() {
    return !enabled || !tokens.isEmpty();
  }

  @ValidationMethod(message = "must not list the same token twice")
  @JsonIgnore
  public boolean isEachTokenUnique() {
    return tokens.stream().map(t -> t.token).distinct().count() == tokens.size();
  }

  /**
   * Makes every {@code @RolesAllowed} resource require a configured bearer token; with auth
   * disabled, leaves them open and says so loudly.
   */
  public void build(Environment environment) {
    if (!enabled) {
      log.warn(
          "API authentication is DISABLED (auth.enabled: false): anyone who reaches the port can change jobs");
      return;
    }
    TokenAuthenticator authenticator = new TokenAuthenticator(callers());
    environment
        .jersey()
        .register(
            new AuthDynamicFeature(
                new OAuthCredentialAuthFilter.Builder<Caller>()
                    .setAuthenticator(authenticator)
                    .setAuthorizer(authenticator)
                    .setPrefix("Bearer")
                    .setUnauthorizedHandler(new JsonUnauthorizedHandler())
                    .buildAuthFilter()));
    environment.jersey().register(RolesAllowedDynamicFeature.class);
  }

  private Map<String, Caller> callers() {
    Map<String, Caller> callers = new LinkedHashMap<>();
    tokens.forEach(t -> callers.put(t.token, new Caller(t.name, t.role)));
    return callers;
  }

  public static class Token {
    @NotEmpty @JsonProperty public String name;

    @NotEmpty
    @Size(min = 16, message = "must be at least 16 characters")
    @JsonProperty
    public String token;

    @NotNull @JsonProperty public Role role;
  }
}
