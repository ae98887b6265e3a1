package dev.portfwd.model;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The backends of one forward: what the table wrote (addresses and names, in order), how to choose
 * among them, how to check them, and the concrete backends in rotation.
 *
 * <p>{@code members} are the addresses new connections may go to, in the order written (a name's
 * addresses where the name stood). For a pool of address literals they are the literals; a pool
 * with names has none until something resolved them ({@link #withMembers}), and the service drops
 * members whose checks fail (never the last ones: when every backend is down, all stay).
 *
 * @param balance empty when the table gave none ({@link Balance#FAILOVER} then)
 * @param check empty when the table gave none (see {@link #check(boolean)})
 */
public record BackendPool(
    List<BackendSpec> written,
    Optional<Balance> balance,
    Optional<HealthCheck> check,
    List<BackendMember> members) {

  public BackendPool {
    written = List.copyOf(written);
    Objects.requireNonNull(balance, "balance");
    Objects.requireNonNull(check, "check");
    if (written.isEmpty()) {
      throw new IllegalArgumentException("a forward needs at least one backend");
    }
    if (members.isEmpty() && written.stream().noneMatch(BackendSpec::isName)) {
      List<BackendMember> literals = new ArrayList<>(written.size());
      for (BackendSpec spec : written) {
        literals.add(BackendMember.literal(spec.address().get()));
      }
      members = literals;
    }
    members = List.copyOf(members);
  }

  /** One backend written as an address, with no options: the original table format. */
  public static BackendPool single(InetAddress address) {
    return new BackendPool(
        List.of(BackendSpec.of(address)), Optional.empty(), Optional.empty(), List.of());
  }

  /** True when every member is known: no name waits for resolution. */
  public boolean isResolved() {
    return !members.isEmpty();
  }

  /** True when the table names a backend by a host name. */
  public boolean hasNames() {
    return written.stream().anyMatch(BackendSpec::isName);
  }

  /** The balance in effect: the written one, else failover. */
  public Balance balanceInEffect() {
    return balance.orElse(Balance.FAILOVER);
  }

  /**
   * The check in effect: the written one; else TCP for a TCP forward with several backends or a
   * name (a dead backend must be noticed to leave), and none otherwise (UDP cannot be proven
   * without a TCP port the line names).
   */
  public HealthCheck check(boolean tcpForward) {
    if (check.isPresent()) {
      return check.get();
    }
    return tcpForward && (written.size() > 1 || hasNames()) ? HealthCheck.TCP : HealthCheck.NONE;
  }

  /** This pool with {@code newMembers} in rotation (resolved names, healthy backends). */
  public BackendPool withMembers(List<BackendMember> newMembers) {
    if (newMembers.isEmpty()) {
      throw new IllegalArgumentException("a pool in rotation needs at least one member");
    }
    return new BackendPool(written, balance, check, newMembers);
  }

  /** The member addresses in order. */
  public List<InetAddress> addresses() {
    return members.stream().map(BackendMember::address).toList();
  }

  /** The first member: the one a failover forward uses. */
  public InetAddress primary() {
    if (members.isEmpty()) {
      throw new IllegalStateException(
          "the backend name " + written.get(0).text() + " has not been resolved");
    }
    return members.get(0).address();
  }

  /** The INT-IP column as written: {@code 192.0.2.2}, {@code a.test,192.0.2.18}. */
  public String writtenText() {
    return String.join(",", written.stream().map(BackendSpec::text).toList());
  }
}
