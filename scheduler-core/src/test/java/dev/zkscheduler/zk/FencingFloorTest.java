package dev.zkscheduler.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The token arithmetic and the floor's stored form. */
class FencingFloorTest {

  @Test
  void aTokenIsTheFloorPlusTheCzxid() {
    assertThat(FencingFloor.token(0, 4_294_967_301L)).isEqualTo(4_294_967_301L);
    assertThat(FencingFloor.token(1_000, 17)).isEqualTo(1_017);
    // A later assignment under the same floor, and any assignment under a higher one, is larger.
    assertThat(FencingFloor.token(1_000, 18)).isGreaterThan(FencingFloor.token(1_000, 17));
    assertThat(FencingFloor.token(5_000, 1)).isGreaterThan(FencingFloor.token(1_000, 3_999));
  }

  @Test
  void tokensOutOfRangeAreRefusedNotWrapped() {
    assertThatThrownBy(() -> FencingFloor.token(-1, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("floor -1");
    assertThatThrownBy(() -> FencingFloor.token(FencingFloor.MAX_FLOOR + 1, 5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FencingFloor.token(3, -5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FencingFloor.token(FencingFloor.MAX_FLOOR, Long.MAX_VALUE))
        .isInstanceOf(ArithmeticException.class);
  }

  @Test
  void theStoredFloorIsADecimalNumber() {
    assertThat(decode("123456789012")).isEqualTo(123_456_789_012L);
    assertThat(decode(" 7\n")).isEqualTo(7);
    assertThat(decode("0")).isZero();
    for (String bad : new String[] {"", "x", "-3", "1.5", Long.toString(Long.MAX_VALUE)}) {
      assertThatThrownBy(() -> decode(bad))
          .as(bad)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("/fencing/floor holds");
    }
  }

  private static long decode(String text) {
    return FencingFloor.decode(text.getBytes(StandardCharsets.UTF_8), "/fencing/floor");
  }
}
