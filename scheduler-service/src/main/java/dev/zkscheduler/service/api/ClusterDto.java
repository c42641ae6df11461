package dev.zkscheduler.service.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.zkscheduler.cluster.ClusterStatus;
import dev.zkscheduler.cluster.Member;
import dev.zkscheduler.cluster.WorkerInfo;
import java.util.List;

/** {@code GET /api/v1/cluster}. */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"leader", "epoch", "self", "members"})
public record ClusterDto(String leader, long epoch, Self self, List<MemberDto> members) {

  /** The node that answered. */
  @JsonPropertyOrder({"id", "leader"})
  public record Self(String id, boolean leader) {}

  /**
   * A live member. {@code role} is {@code both}, {@code scheduler} or {@code worker}; a member that
   * runs attempts also shows its {@code worker} (the worker of its current ZooKeeper session, as
   * runs name it in their tasks' {@code node}), its {@code capacity} (attempts at once), the
   * attempts it runs now ({@code running}), its task types and whether it is {@code draining}
   * (shutting down: it takes no new attempt). Those are null for a member that runs none.
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({
    "id",
    "address",
    "version",
    "since",
    "role",
    "worker",
    "capacity",
    "running",
    "taskTypes",
    "draining"
  })
  public record MemberDto(
      String id,
      String address,
      String version,
      String since,
      String role,
      String worker,
      Integer capacity,
      Integer running,
      List<String> taskTypes,
      Boolean draining) {

    static MemberDto from(Member member, ClusterStatus.WorkerLoad load) {
      WorkerInfo w = load == null ? null : load.worker();
      return new MemberDto(
          member.id(),
          member.address(),
          member.version(),
          Instants.text(member.since()),
          member.roles() != null ? member.roles() : "both",
          w == null ? null : w.name(),
          w == null ? null : w.capacity(),
          load == null ? null : load.running(),
          w == null ? null : w.taskTypes().stream().sorted().toList(),
          w == null ? null : w.draining());
    }
  }

  public static ClusterDto from(ClusterStatus status) {
    java.util.Map<String, ClusterStatus.WorkerLoad> byMember = new java.util.HashMap<>();
    status.workers().forEach(w -> byMember.put(w.worker().memberId(), w));
    return new ClusterDto(
        status.leaderId(),
        status.epoch(),
        new Self(status.selfId(), status.selfLeader()),
        status.members().stream().map(m -> MemberDto.from(m, byMember.get(m.id()))).toList());
  }
}
