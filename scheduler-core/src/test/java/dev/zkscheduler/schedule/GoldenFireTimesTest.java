package dev.zkscheduler.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Fire times checked against hand-derived vectors in {@code schedule/golden-fire-times.txt}. */
class GoldenFireTimesTest {

  static Stream<Arguments> vectors() throws IOException {
    List<Arguments> vectors = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(
                Objects.requireNonNull(
                    GoldenFireTimesTest.class.getResourceAsStream(
                        "/schedule/golden-fire-times.txt")),
                StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] parts = line.split("\\|");
        vectors.add(
            Arguments.of(
                parts[0].trim(),
                parts[1].trim(),
                DstPolicy.valueOf(parts[2].trim()),
                Instant.parse(parts[3].trim()),
                Arrays.stream(parts[4].trim().split("\\s+")).map(Instant::parse).toList()));
      }
    }
    assertThat(vectors).hasSizeGreaterThan(25);
    return vectors.stream();
  }

  @ParameterizedTest(name = "{0} ''{1}'' {2} after {3}")
  @MethodSource("vectors")
  void firesAtTheGoldenInstants(
      String zone, String cron, DstPolicy policy, Instant after, List<Instant> expected) {
    Schedule schedule = Schedule.cron(cron, Zones.parse(zone), policy);
    List<Instant> actual = new ArrayList<>();
    Instant cursor = after;
    for (int i = 0; i < expected.size(); i++) {
      Optional<Instant> next = schedule.nextFireAfter(cursor);
      assertThat(next).as("fire #%d", i + 1).isPresent();
      actual.add(next.get());
      cursor = next.get();
    }
    assertThat(actual).containsExactlyElementsOf(expected);
  }
}
