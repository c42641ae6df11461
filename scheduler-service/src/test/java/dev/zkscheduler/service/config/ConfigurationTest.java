package dev.zkscheduler.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zkscheduler.engine.EngineSettings;
import io.dropwizard.configuration.ConfigurationValidationException;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quick-start config.yml is valid as shipped, and bad values are refused naming the key. */
class ConfigurationTest {

  private final YamlConfigurationFactory<SchedulerConfiguration> factory =
      new YamlConfigurationFactory<>(
          SchedulerConfiguration.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw");

  private SchedulerConfiguration load(Path file) throws Exception {
    return factory.build(
        new SubstitutingSourceProvider(
            new FileConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)),
        file.toString());
  }

  @Test
  void theShippedQuickStartConfigIsValid() throws Exception {
    Path shipped = Path.of("..", "config.yml");
    SchedulerConfiguration config = load(shipped);
    assertThat(config.zookeeper.isEmbedded()).isEqualTo(System.getenv("ZKS_ZOOKEEPER") == null);
    assertThat(config.auth.enabled).isTrue();
    assertThat(config.auth.tokens).extracting(t -> t.role).hasSize(3);
    assertThat(config.tasks.shell.enabled).isFalse();
    EngineSettings settings = config.scheduler.settings();
    assertThat(settings.tickInterval()).isEqualTo(Duration.ofMillis(50));
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheKey(@TempDir Path dir) throws Exception {
    assertInvalid(dir, "zookeeper:\n  sessionTimeout: 1s\n", "zookeeper.sessionTimeout");
    assertInvalid(dir, "zookeeper:\n  namespace: 'Has Spaces'\n", "zookeeper.namespace");
    assertInvalid(dir, "scheduler:\n  taskThreads: 0\n", "scheduler.taskThreads");
    assertInvalid(dir, "scheduler:\n  instanceId: 'A/B'\n", "scheduler.instanceId");
    assertInvalid(dir, "scheduler:\n  onTermLoss: MAYBE\n", "onTermLoss");
    assertInvalid(
        dir,
        "auth:\n  tokens:\n    - {name: a, token: short, role: admin}\n",
        "auth.tokens[0].token");
    assertInvalid(dir, "auth:\n  enabled: true\n  tokens: []\n", "at least one token");
    assertInvalid(
        dir,
        "auth:\n  tokens:\n    - {name: a, token: aaaaaaaaaaaaaaaaaaaa, role: admin}\n"
            + "    - {name: b, token: aaaaaaaaaaaaaaaaaaaa, role: viewer}\n",
        "same token twice");
    assertInvalid(dir, "limits:\n  maxBodyBytes: 10\n", "limits.maxBodyBytes");
  }

  private void assertInvalid(Path dir, String yaml, String expected) throws Exception {
    Path file = Files.createTempFile(dir, "bad", ".yml");
    Files.writeString(file, yaml);
    assertThatThrownBy(() -> load(file))
        .as(yaml)
        .isInstanceOfAny(
            ConfigurationValidationException.class,
            io.dropwizard.configuration.ConfigurationParsingException.class)
        .hasMessageContaining(expected);
  }
}
