package dev.zkscheduler.service.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenAuthenticatorTest {

  private final Caller ops = new Caller("ops", Role.OPERATOR);
  private final Caller dash = new Caller("dashboard", Role.VIEWER);
  private final TokenAuthenticator tokens =
      new TokenAuthenticator(Map.of("operator-token-0000000", ops, "viewer-token-000000000", dash));

  @Test
  void eachConfiguredTokenIdentifiesItsCaller() {
    assertThat(tokens.authenticate("operator-token-0000000")).contains(ops);
    assertThat(tokens.authenticate("viewer-token-000000000")).contains(dash);
  }

  @Test
  void prefixesAndUnknownTokensIdentifyNobody() {
    assertThat(tokens.authenticate("operator-token")).isEmpty();
    assertThat(tokens.authenticate("operator-token-00000000")).isEmpty();
    assertThat(tokens.authenticate("")).isEmpty();
  }

  @Test
  void aRoleIncludesTheRolesBelowIt() {
    assertThat(tokens.authorize(ops, Role.VIEWER_NAME, null)).isTrue();
    assertThat(tokens.authorize(ops, Role.OPERATOR_NAME, null)).isTrue();
    assertThat(tokens.authorize(ops, Role.ADMIN_NAME, null)).isFalse();
    assertThat(tokens.authorize(dash, Role.OPERATOR_NAME, null)).isFalse();
  }
}
