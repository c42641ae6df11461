package dev.zkscheduler.service.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.zkscheduler.cluster.ClusterStatus;
import dev.zkscheduler.cluster.Member;
import java.util.List;

/** {@code GET /api/v1/cluster}. */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"leader", "epoch", "self", "members"})
public record ClusterDto(String leader, long epoch, Self self, List<MemberDto> members) {

  /** The node that answered. */
  @JsonPropertyOrder({"id", "leader"})
  public record Self(String id, boolean leader) {}

  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"id", "address", "version", "since"})
  public record MemberDto(String id, String address, String version, String since) {

    static MemberDto from(Member member) {
      return new MemberDto(
          member.id(), member.address(), member.version(), Instants.text(member.since()));
    }
  }

  public static ClusterDto from(ClusterStatus status) {
    return new ClusterDto(
        status.leaderId(),
        status.epoch(),
        new Self(status.selfId(), status.selfLeader()),
        status.members().stream().map(MemberDto::from).toList());
  }
}
