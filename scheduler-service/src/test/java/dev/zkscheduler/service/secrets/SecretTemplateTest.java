package dev.zkscheduler.service.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zkscheduler.service.secrets.SecretTemplate.Kind;
import dev.zkscheduler.service.secrets.SecretTemplate.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretTemplateTest {

  private final SecretSource env =
      SecretSource.withEnvironment(Map.of("API_TOKEN", "s3cr3t-token", "EMPTY", ""));

  @Test
  void literalTextIsItself() {
    assertThat(SecretTemplate.parse("application/json").resolve(env).value())
        .isEqualTo("application/json");
    assertThat(SecretTemplate.parse("costs $5 or {x}").resolve(env).value())
        .isEqualTo("costs $5 or {x}");
    assertThat(SecretTemplate.parse("").references()).isEmpty();
  }

  @Test
  void referencesAreResolvedWholeOrEmbedded() {
    assertThat(SecretTemplate.parse("${env:API_TOKEN}").resolve(env).value())
        .isEqualTo("s3cr3t-token");
    SecretTemplate.Resolved bearer = SecretTemplate.parse("Bearer ${env:API_TOKEN}!").resolve(env);
    assertThat(bearer.value()).isEqualTo("Bearer s3cr3t-token!");
    assertThat(bearer.secrets()).containsExactly("s3cr3t-token");
    assertThat(SecretTemplate.parse("a${env:EMPTY}b").resolve(env).value()).isEqualTo("ab");
    assertThat(SecretTemplate.parse("${env:API_TOKEN}:${file:/run/x}").references())
        .containsExactly(new Reference(Kind.ENV, "API_TOKEN"), new Reference(Kind.FILE, "/run/x"));
  }

  @Test
  void dollarDollarBraceIsALiteral() {
    SecretTemplate t = SecretTemplate.parse("$${env:API_TOKEN} and $${");
    assertThat(t.references()).isEmpty();
    assertThat(t.resolve(env).value()).isEqualTo("${env:API_TOKEN} and ${");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "${env:API_TOKEN",
        "x ${",
        "${}",
        "${env:}",
        "${env:1ABC}",
        "${env:A-B}",
        "${file:relative/path}",
        "${file:}",
        "${vault:secret/x}",
        "${API_TOKEN}",
        "${ env:API_TOKEN}"
      })
  void malformedReferencesAreRefusedWithoutQuotingTheValue(String value) {
    assertThatThrownBy(() -> SecretTemplate.parse(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("character")
        .hasMessageContaining("$${")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(value));
    assertThat(SecretTemplate.problem(value)).isPresent();
  }

  @Test
  void anUnsetVariableNamesTheReferenceOnly() {
    assertThatThrownBy(() -> SecretTemplate.parse("Bearer ${env:MISSING}").resolve(env))
        .isInstanceOf(UnresolvedReferenceException.class)
        .hasMessage("${env:MISSING} is not set");
  }

  @Test
  void filesAreReadAtResolveTimeWithoutTheirTrailingLineBreak(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, "from-a-file\n", StandardCharsets.UTF_8);
    SecretTemplate t = SecretTemplate.parse("${file:" + file + "}");
    assertThat(t.resolve(env).value()).isEqualTo("from-a-file");
    Files.writeString(file, "rotated\r\n", StandardCharsets.UTF_8);
    assertThat(t.resolve(env).value()).isEqualTo("rotated");
    Files.writeString(file, "two\nlines\n\n", StandardCharsets.UTF_8);
    assertThat(t.resolve(env).value()).isEqualTo("two\nlines\n");
  }

  @Test
  void anUnreadableOrOversizedFileNamesTheReferenceOnly(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("missing");
    assertThatThrownBy(() -> SecretTemplate.parse("${file:" + missing + "}").resolve(env))
        .isInstanceOf(UnresolvedReferenceException.class)
        .hasMessage("${file:" + missing + "} cannot be read (NoSuchFileException)");
    Path big = dir.resolve("big");
    Files.write(big, new byte[SecretSource.MAX_FILE_BYTES + 1]);
    assertThatThrownBy(() -> SecretTemplate.parse("${file:" + big + "}").resolve(env))
        .hasMessageContaining("larger than");
    assertThatThrownBy(() -> SecretTemplate.parse("${file:" + dir + "}").resolve(env))
        .hasMessageStartingWith("${file:" + dir + "} cannot be read");
  }

  @Test
  void resolvingAMapNamesTheKeyAndTheReference() {
    SecretValues values =
        SecretValues.resolve(
            "header", Map.of("Authorization", "Bearer ${env:API_TOKEN}", "X-N", 3), env);
    assertThat(values.values())
        .containsEntry("Authorization", "Bearer s3cr3t-token")
        .containsEntry("X-N", "3");
    assertThat(values.scrubber().scrub("echo s3cr3t-token")).isEqualTo("echo <redacted>");
    assertThatThrownBy(() -> SecretValues.resolve("env", Map.of("DB_PASSWORD", "${env:NOPE}"), env))
        .hasMessage("env 'DB_PASSWORD': ${env:NOPE} is not set");
    assertThatThrownBy(() -> SecretValues.resolve("env", Map.of("K", "a${b"), env))
        .hasMessageStartingWith("env 'K' has a '${' at character 2");
  }

  @Test
  void theScrubberReplacesLongestFirstAndLeavesTinyValues() {
    Scrubber scrubber = Scrubber.of(List.of("abcd", "abcdefgh", "on"));
    assertThat(scrubber.scrub("xabcdefghx abcd on")).isEqualTo("x<redacted>x <redacted> on");
    assertThat(scrubber.scrub(null)).isNull();
  }
}
