package dev.zkscheduler.service.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  private static final String GOOD =
      String.join(
          "\n",
          "# HELP runs_total Runs \\\\ ended",
          "# TYPE runs_total counter",
          "runs_total{state=\"OK\"} 3.0",
          "runs_total{state=\"a \\\"b\\\"\\n\"} 1 1700000000000",
          "# TYPE lag_seconds histogram",
          "lag_seconds_bucket{le=\"0.1\"} 1",
          "lag_seconds_bucket{le=\"+Inf\"} 2",
          "lag_seconds_count 2",
          "lag_seconds_sum 0.7",
          "up NaN",
          "");

  @Test
  void readsFamiliesSamplesAndEscapes() {
    PrometheusText text = PrometheusText.parse(GOOD);

    assertThat(text.families()).containsOnlyKeys("runs_total", "lag_seconds", "up");
    assertThat(text.families().get("runs_total").help()).isEqualTo("Runs \\ ended");
    assertThat(text.samples("runs_total"))
        .extracting(s -> s.labels().get("state"))
        .containsExactly("OK", "a \"b\"\n");
    assertThat(text.sampleNames()).contains("lag_seconds_bucket", "lag_seconds_count", "up");
  }

  @Test
  void refusesWhatAScrapeWouldReject() {
    assertRefused("# TYPE x counter\nx 1\n", "does not belong");
    assertRefused("x{a=\"1\"} 1\nx{a=\"1\"} 2\n", "duplicate");
    assertRefused("x 1\ny 1\nx{a=\"2\"} 1\n", "split up");
    assertRefused("x{a=\"\\t\"} 1\n", "bad escape");
    assertRefused("x{1a=\"b\"} 1\n", "bad label name");
    assertRefused("x one\n", "bad value");
    assertRefused("x 1\n# TYPE x gauge\n", "TYPE after samples");
    assertRefused(
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",
        "not cumulative");
    assertRefused("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_count 2\n", "no +Inf");
    assertRefused("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 3\n", "!= count");
  }

  private static void assertRefused(String text, String why) {
    assertThatThrownBy(() -> PrometheusText.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(why);
  }
}
