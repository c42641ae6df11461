package dev.zkscheduler.error;

/** Another live node already registered this member id; two nodes must never share one. */
public class MemberIdInUseException extends SchedulerException {

  private static final long serialVersionUID = 1L;

  public MemberIdInUseException(String memberId, String address) {
    super(
        "member id '"
            + memberId
            + "' is already registered by a live node"
            + (address != null ? " at " + address : "")
            + "; give every node its own instance id");
  }
}
