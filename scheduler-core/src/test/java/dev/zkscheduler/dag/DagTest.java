package dev.zkscheduler.dag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class DagTest {

  private static Map<String, List<String>> graph(String... edges) {
    Map<String, List<String>> g = new LinkedHashMap<>();
    for (String edge : edges) {
      String[] parts = edge.split(":", -1);
      g.put(parts[0], parts[1].isEmpty() ? List.of() : List.of(parts[1].split(",")));
    }
    return g;
  }

  /**
   * docs/design.md, G5 (reversed order): A depends on B, B on C must run C, B, A — never reversed.
   */
  @Test
  void chainRunsDependenciesFirst() {
    assertThat(Dag.of(graph("a:b", "b:c", "c:")).topologicalOrder()).containsExactly("c", "b", "a");
  }

  @Test
  void diamondOrderIsDeterministicByDeclaration() {
    Dag dag = Dag.of(graph("extract:", "clean:extract", "enrich:extract", "load:clean,enrich"));
    assertThat(dag.topologicalOrder()).containsExactly("extract", "clean", "enrich", "load");
    assertThat(dag.upstream("load")).containsExactly("clean", "enrich");
    assertThat(dag.downstream("extract")).containsExactly("clean", "enrich");
    assertThat(dag.descendants("extract")).containsExactly("clean", "enrich", "load");
  }

  /**
   * docs/design.md, G5 (cycle detection): cycle detection that only tracked "visited" let A→B→C→A
   * pass.
   */
  @Test
  void threeCycleIsCaughtWithItsPath() {
    assertThatThrownBy(() -> Dag.of(graph("a:b", "b:c", "c:a")))
        .isInstanceOfSatisfying(
            InvalidDagException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(InvalidDagException.Kind.CYCLE);
              assertThat(e.getMessage()).isEqualTo("tasks form a cycle: a -> b -> c -> a");
              assertThat(e.path()).containsExactly("a", "b", "c", "a");
            });
  }

  @Test
  void selfAndUnknownDependenciesAreNamed() {
    assertThatThrownBy(() -> Dag.of(graph("a:a"))).hasMessage("task 'a' depends on itself");
    assertThatThrownBy(() -> Dag.of(graph("a:", "b:zz")))
        .hasMessage("task 'b' depends on unknown task 'zz'");
  }

  @Test
  void aDiamondIsNotACycle() {
    assertThat(Dag.of(graph("a:", "b:a", "c:a", "d:b,c", "e:d,a")).topologicalOrder()).hasSize(5);
  }

  @Property(tries = 300)
  void everyTaskComesAfterAllItsDependencies(
      @ForAll @IntRange(min = 1, max = 60) int size, @ForAll long seed) {
    Map<String, List<String>> g = randomDag(size, seed);
    List<String> order = Dag.of(g).topologicalOrder();
    assertThat(order).containsExactlyInAnyOrderElementsOf(g.keySet());
    g.forEach(
        (task, deps) ->
            deps.forEach(dep -> assertThat(order.indexOf(dep)).isLessThan(order.indexOf(task))));
  }

  @Property(tries = 300)
  void anInjectedBackEdgeIsAlwaysRejectedWithARealCycle(
      @ForAll @IntRange(min = 2, max = 60) int size, @ForAll long seed) {
    Map<String, List<String>> g = randomDag(size, seed);
    Random random = new Random(seed);
    // Task i only depends on tasks < i; make a lower task depend on a higher one reachable from it.
    int low = random.nextInt(size - 1);
    int high = low + 1 + random.nextInt(size - low - 1);
    List<String> chain = new ArrayList<>(g.get("t" + high));
    chain.add("t" + low);
    g.put("t" + high, chain);
    List<String> lowDeps = new ArrayList<>(g.get("t" + low));
    lowDeps.add("t" + high);
    g.put("t" + low, lowDeps);
    assertThatThrownBy(() -> Dag.of(g))
        .isInstanceOfSatisfying(
            InvalidDagException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(InvalidDagException.Kind.CYCLE);
              List<String> path = e.path();
              assertThat(path.get(0)).isEqualTo(path.get(path.size() - 1));
              // Each step a -> b of the reported cycle is a real edge: a depends on b.
              for (int i = 0; i + 1 < path.size(); i++) {
                assertThat(g.get(path.get(i))).contains(path.get(i + 1));
              }
            });
  }

  /** Tasks t0..t(n-1), each depending on a random subset of lower-numbered tasks. */
  static Map<String, List<String>> randomDag(int size, long seed) {
    Random random = new Random(seed);
    Map<String, List<String>> g = new LinkedHashMap<>();
    List<Integer> shuffled = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      shuffled.add(i);
    }
    java.util.Collections.shuffle(shuffled, random);
    for (int i : shuffled) {
      List<String> deps = new ArrayList<>();
      for (int j = 0; j < i; j++) {
        if (random.nextInt(4) == 0) {
          deps.add("t" + j);
        }
      }
      g.put("t" + i, deps);
    }
    return g;
  }
}
