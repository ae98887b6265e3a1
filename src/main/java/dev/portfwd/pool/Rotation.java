package dev.portfwd.pool;

import dev.portfwd.model.BackendMember;
import dev.portfwd.model.BackendSpec;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.HealthCheck;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which backends of a table are in rotation, given what its names resolve to and what the checks
 * found. Pure: the service and the one-shot commands feed it what they learnt.
 *
 * <p>A forward's members are its backends in the order written, a name standing for its addresses
 * of the forward's IP version (kernel NAT does not bridge versions). Members found down leave
 * unless every member is down: then all stay, since dropping the last one gains nothing.
 */
public final class Rotation {

  private Rotation() {}

  /**
   * The IP version {@code forward}'s names are resolved for: its external address's, else that of
   * its first address literal, else IPv4.
   */
  public static IpFamily familyFor(Forward forward) {
    if (forward.externalAddress().isPresent()) {
      return IpFamily.of(forward.externalAddress().get());
    }
    for (BackendSpec spec : forward.pool().written()) {
      if (spec.address().isPresent()) {
        return IpFamily.of(spec.address().get());
      }
    }
    return IpFamily.IPV4;
  }

  /**
   * Every backend of {@code forward}, names replaced by their addresses in {@code names}; names
   * missing from it are left out (empty when nothing is left).
   */
  public static List<BackendMember> members(Forward forward, Map<String, List<InetAddress>> names) {
    IpFamily family = familyFor(forward);
    List<BackendMember> members = new ArrayList<>();
    for (BackendSpec spec : forward.pool().written()) {
      if (spec.address().isPresent()) {
        members.add(BackendMember.literal(spec.address().get()));
        continue;
      }
      for (InetAddress address : names.getOrDefault(spec.text(), List.of())) {
        if (IpFamily.of(address) == family
            && members.stream().noneMatch(m -> m.address().equals(address))) {
          members.add(new BackendMember(spec.text(), address));
        }
      }
    }
    return members;
  }

  /** The check {@code forward} runs on its backends (none: every member always in rotation). */
  public static HealthCheck checkOf(Forward forward) {
    return forward.pool().check(forward.carries(Protocol.TCP));
  }

  /**
   * What a check of {@code member} of {@code forward} connects to; empty when it is not checked.
   */
  public static Optional<CheckTarget> target(Forward forward, BackendMember member) {
    HealthCheck check = checkOf(forward);
    if (!check.tcp()) {
      return Optional.empty();
    }
    int port = check.port().orElse(forward.backendPorts().first());
    return Optional.of(new CheckTarget(member.address(), port));
  }

  /**
   * The members of {@code forward} in rotation: those whose target is up (or not checked), or all
   * of them when all are down; empty when none resolved.
   */
  public static List<BackendMember> inRotation(
      Forward forward, Map<String, List<InetAddress>> names, Map<CheckTarget, Health> health) {
    List<BackendMember> all = members(forward, names);
    List<BackendMember> up = new ArrayList<>();
    for (BackendMember member : all) {
      Optional<CheckTarget> target = target(forward, member);
      if (target.isEmpty() || health.getOrDefault(target.get(), Health.INITIAL).up()) {
        up.add(member);
      }
    }
    return up.isEmpty() ? all : up;
  }

  /** True when {@code forward} has checked members and every one of them is down. */
  public static boolean allDown(
      Forward forward, Map<String, List<InetAddress>> names, Map<CheckTarget, Health> health) {
    List<BackendMember> all = members(forward, names);
    if (all.isEmpty()) {
      return false;
    }
    for (BackendMember member : all) {
      Optional<CheckTarget> target = target(forward, member);
      if (target.isEmpty() || health.getOrDefault(target.get(), Health.INITIAL).up()) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code written} as the kernel should hold it: each forward with its members in rotation;
   * forwards none of whose backends resolved are left out.
   */
  public static ForwardTable effective(
      ForwardTable written, Map<String, List<InetAddress>> names, Map<CheckTarget, Health> health) {
    List<Forward> forwards = new ArrayList<>(written.forwards().size());
    for (Forward forward : written.forwards()) {
      if (!forward.pool().hasNames() && forward.pool().written().size() == 1) {
        forwards.add(forward); // the common case, unchanged: one address, nothing to choose
        continue;
      }
      List<BackendMember> members = inRotation(forward, names, health);
      if (!members.isEmpty()) {
        forwards.add(forward.withMembers(members));
      }
    }
    return new ForwardTable(written.source(), forwards);
  }
}
