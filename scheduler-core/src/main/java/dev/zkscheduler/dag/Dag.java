package dev.zkscheduler.dag;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * A validated task dependency graph with a deterministic topological order. Immutable and
 * thread-safe.
 *
 * <p>The order is Kahn's algorithm with ties broken by declaration order, so it never depends on
 * hash order, and every task comes after all of its dependencies (the reversed order described in
 * docs/design.md, section 5, cannot happen). Cycle detection keeps the recursion stack, so A→B→C→A
 * is found and reported as that path, not merely as "visited".
 */
public final class Dag {

  private final List<String> order;
  private final Map<String, List<String>> upstream;
  private final Map<String, List<String>> downstream;

  private Dag(
      List<String> order,
      Map<String, List<String>> upstream,
      Map<String, List<String>> downstream) {
    this.order = order;
    this.upstream = upstream;
    this.downstream = downstream;
  }

  /**
   * Builds the graph from each task's {@code dependsOn}, in declaration order.
   *
   * @throws InvalidDagException on a self-dependency, an unknown dependency or a cycle
   */
  public static Dag of(Map<String, List<String>> dependsOn) {
    List<String> declared = new ArrayList<>(dependsOn.keySet());
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < declared.size(); i++) {
      index.put(declared.get(i), i);
    }
    Map<String, List<String>> up = new LinkedHashMap<>();
    Map<String, List<String>> down = new LinkedHashMap<>();
    declared.forEach(id -> down.put(id, new ArrayList<>()));
    for (String id : declared) {
      List<String> deps = List.copyOf(new java.util.LinkedHashSet<>(dependsOn.get(id)));
      for (String dep : deps) {
        if (dep.equals(id)) {
          throw new InvalidDagException(
              InvalidDagException.Kind.SELF_DEPENDENCY,
              id,
              dep,
              List.of(id, id),
              "task '" + id + "' depends on itself");
        }
        if (!index.containsKey(dep)) {
          throw new InvalidDagException(
              InvalidDagException.Kind.UNKNOWN_DEPENDENCY,
              id,
              dep,
              List.of(),
              "task '" + id + "' depends on unknown task '" + dep + "'");
        }
        down.get(dep).add(id);
      }
      up.put(id, deps);
    }
    findCycle(declared, up);
    return new Dag(kahn(declared, index, up, down), freeze(up), freeze(down));
  }

  /** Depth-first search with an explicit recursion stack (on-path set), reporting the cycle. */
  private static void findCycle(List<String> declared, Map<String, List<String>> up) {
    Set<String> done = new HashSet<>();
    for (String start : declared) {
      if (done.contains(start)) {
        continue;
      }
      List<String> path = new ArrayList<>();
      Set<String> onPath = new HashSet<>();
      List<java.util.Iterator<String>> iterators = new ArrayList<>();
      path.add(start);
      onPath.add(start);
      iterators.add(up.get(start).iterator());
      while (!path.isEmpty()) {
        java.util.Iterator<String> it = iterators.get(iterators.size() - 1);
        if (it.hasNext()) {
          String dep = it.next();
          if (onPath.contains(dep)) {
            // path is a chain of "depends on" edges, so the cycle reads a -> b: a depends on b.
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(dep), path.size()));
            cycle.add(dep);
            throw new InvalidDagException(
                InvalidDagException.Kind.CYCLE,
                path.get(path.size() - 1),
                dep,
                cycle,
                "tasks form a cycle: " + String.join(" -> ", cycle));
          }
          if (!done.contains(dep)) {
            path.add(dep);
            onPath.add(dep);
            iterators.add(up.get(dep).iterator());
          }
        } else {
          String finished = path.remove(path.size() - 1);
          onPath.remove(finished);
          iterators.remove(iterators.size() - 1);
          done.add(finished);
        }
      }
    }
  }

  private static List<String> kahn(
      List<String> declared,
      Map<String, Integer> index,
      Map<String, List<String>> up,
      Map<String, List<String>> down) {
    Map<String, Integer> remaining = new HashMap<>();
    PriorityQueue<String> ready =
        new PriorityQueue<>((a, b) -> Integer.compare(index.get(a), index.get(b)));
    for (String id : declared) {
      remaining.put(id, up.get(id).size());
      if (up.get(id).isEmpty()) {
        ready.add(id);
      }
    }
    List<String> order = new ArrayList<>(declared.size());
    while (!ready.isEmpty()) {
      String next = ready.poll();
      order.add(next);
      for (String child : down.get(next)) {
        if (remaining.merge(child, -1, Integer::sum) == 0) {
          ready.add(child);
        }
      }
    }
    return List.copyOf(order);
  }

  private static Map<String, List<String>> freeze(Map<String, List<String>> map) {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    map.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    return Collections.unmodifiableMap(copy);
  }

  /** Every task, each after all of its dependencies; ties in declaration order. */
  public List<String> topologicalOrder() {
    return order;
  }

  /** The tasks {@code taskId} depends on directly. */
  public List<String> upstream(String taskId) {
    return require(upstream, taskId);
  }

  /** The tasks that depend on {@code taskId} directly. */
  public List<String> downstream(String taskId) {
    return require(downstream, taskId);
  }

  /** Every task that depends on {@code taskId}, directly or not, in topological order. */
  public List<String> descendants(String taskId) {
    Set<String> seen = new HashSet<>();
    List<String> stack = new ArrayList<>(downstream(taskId));
    while (!stack.isEmpty()) {
      String next = stack.remove(stack.size() - 1);
      if (seen.add(next)) {
        stack.addAll(downstream.get(next));
      }
    }
    return order.stream().filter(seen::contains).toList();
  }

  public boolean contains(String taskId) {
    return upstream.containsKey(taskId);
  }

  private static List<String> require(Map<String, List<String>> map, String taskId) {
    List<String> list = map.get(taskId);
    if (list == null) {
      throw new IllegalArgumentException("no task '" + taskId + "' in this DAG");
    }
    return list;
  }
}
