package dev.zkscheduler.service.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.zkscheduler.service.auth.Role;
import io.dropwizard.validation.ValidationMethod;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.ArrayList;
import java.util.List;

/** Bearer tokens and their roles. Tokens may come from environment variables: {@code ${VAR}}. */
public class AuthFactory {

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

  public static class Token {
    @NotEmpty @JsonProperty public String name;

    @NotEmpty
    @Size(min = 16, message = "must be at least 16 characters")
    @JsonProperty
    public String token;

    @NotNull @JsonProperty public Role role;
  }
}
