package dev.zkscheduler.cluster.zk;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The arithmetic of one measurement: the midpoint cancels the round trip. */
class ClockSkewTest {

  @Test
  void comparesTheServersStampWithTheMidpointOfTheLocalReadings() {
    long before = 1_000_000;
    long after = before + 40;
    long server = before + 20 - 5_000;
    ClockSkew.Sample sample = ClockSkew.Sample.of(before, after, server);
    assertThat(sample.skewMillis()).isEqualTo(5_000);
    assertThat(sample.uncertaintyMillis()).isEqualTo(20);
  }

  @Test
  void aServerAheadGivesANegativeSkew() {
    long before = 1_000_000;
    ClockSkew.Sample sample = ClockSkew.Sample.of(before, before + 2, before + 1 + 3_000);
    assertThat(sample.skewMillis()).isEqualTo(-3_000);
    assertThat(sample.uncertaintyMillis()).isEqualTo(1);
  }

  @Test
  void aLocalClockSteppedBackDuringTheWriteGivesNoNegativeUncertainty() {
    long before = 1_000_000;
    ClockSkew.Sample sample = ClockSkew.Sample.of(before, before - 50, before);
    assertThat(sample.uncertaintyMillis()).isZero();
    assertThat(sample.skewMillis()).isZero();
  }
}
