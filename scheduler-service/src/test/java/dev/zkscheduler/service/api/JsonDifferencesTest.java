package dev.zkscheduler.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonDifferencesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<String> between(String a, String b) throws Exception {
    return JsonDifferences.between(JSON.readTree(a), JSON.readTree(b));
  }

  @Test
  void equalDocumentsHaveNoDifferences() throws Exception {
    assertThat(between("{\"a\":1,\"b\":[1,{\"c\":\"x\"}]}", "{\"b\":[1,{\"c\":\"x\"}],\"a\":1}"))
        .isEmpty();
    assertThat(between("{\"m\":2}", "{\"m\":2.0}")).isEmpty();
    assertThat(between("{\"a\":null}", "{}")).isEmpty();
  }

  @Test
  void eachDifferenceIsNamedByItsPathInTheApisNotation() throws Exception {
    assertThat(
            between(
                "{\"schedule\":{\"cron\":\"0 9 * * *\"},\"tasks\":[{\"config\":{\"headers\":"
                    + "{\"Authorization\":\"${env:A}\"}}}],\"paused\":false}",
                "{\"schedule\":{\"cron\":\"0 10 * * *\"},\"tasks\":[{\"config\":{\"headers\":"
                    + "{\"Authorization\":\"${env:B}\",\"X-New\":\"v\"}}},{\"id\":\"t2\"}],"
                    + "\"description\":\"d\",\"paused\":\"false\"}"))
        .containsExactly(
            "schedule.cron",
            "tasks[0].config.headers.Authorization",
            "tasks[0].config.headers.X-New",
            "tasks[1]",
            "paused",
            "description");
  }
}
