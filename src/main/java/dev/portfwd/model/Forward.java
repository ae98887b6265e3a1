package dev.portfwd.model;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One line of a forwarding table: traffic for {@code externalPorts} (on {@code externalAddress}
 * when given, else on any of the gateway's own addresses) goes to {@code backend} at {@code
 * backendPorts}.
 *
 * <p>{@code backendPorts} always has the same size as {@code externalPorts}: "same ports" is stored
 * as the same range, a shifted range as the shifted one. {@code allowedSources} empty means
 * everyone may use the forward. {@code pool} holds the backends: one address in the original
 * format, or several addresses and names with how to choose and check them.
 *
 * @param line the 1-based line of the table this forward came from, for messages
 * @param snat the address source translation uses instead of masquerade's pick of the outgoing
 *     interface's address ({@code snat=}; an HA pair's virtual VPN-side address), or empty
 * @param columns where the line's columns stand, for messages; not part of equality (two forwards
 *     that differ only in spacing are the same forward)
 * @throws IllegalArgumentException when the ranges differ in size, no protocol is given, or the
 *     external address and backend belong to different address families in a way no backend can
 *     serve (checked by the validator, not here: the relay can bridge IPv6 to IPv4)
 */
public record Forward(
    int line,
    Optional<InetAddress> externalAddress,
    PortRange externalPorts,
    BackendPool pool,
    PortRange backendPorts,
    Set<Protocol> protocols,
    List<Cidr> allowedSources,
    boolean masquerade,
    ProxyProtocol proxyProtocol,
    String description,
    Optional<InetAddress> snat,
    ForwardColumns columns) {

  public Forward {
    Objects.requireNonNull(snat, "snat");
    Objects.requireNonNull(columns, "columns");
    Objects.requireNonNull(externalAddress, "externalAddress");
    Objects.requireNonNull(externalPorts, "externalPorts");
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(backendPorts, "backendPorts");
    Objects.requireNonNull(proxyProtocol, "proxyProtocol");
    Objects.requireNonNull(description, "description");
    if (externalPorts.size() != backendPorts.size()) {
      throw new IllegalArgumentException(
          "external ports "
              + externalPorts
              + " and backend ports "
              + backendPorts
              + " differ in size");
    }
    if (protocols.isEmpty()) {
      throw new IllegalArgumentException("a forward needs at least one protocol");
    }
    if (description.indexOf('\n') >= 0 || description.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("a description is one line");
    }
    protocols = Set.copyOf(protocols);
    allowedSources = List.copyOf(allowedSources);
  }

  /** A forward not read from a table ({@link ForwardColumns#UNKNOWN}). */
  public Forward(
      int line,
      Optional<InetAddress> externalAddress,
      PortRange externalPorts,
      BackendPool pool,
      PortRange backendPorts,
      Set<Protocol> protocols,
      List<Cidr> allowedSources,
      boolean masquerade,
      ProxyProtocol proxyProtocol,
      String description,
      Optional<InetAddress> snat) {
    this(
        line,
        externalAddress,
        externalPorts,
        pool,
        backendPorts,
        protocols,
        allowedSources,
        masquerade,
        proxyProtocol,
        description,
        snat,
        ForwardColumns.UNKNOWN);
  }

  /** A forward to one backend address, the original table format's kind, without {@code snat=}. */
  public Forward(
      int line,
      Optional<InetAddress> externalAddress,
      PortRange externalPorts,
      InetAddress backend,
      PortRange backendPorts,
      Set<Protocol> protocols,
      List<Cidr> allowedSources,
      boolean masquerade,
      ProxyProtocol proxyProtocol,
      String description) {
    this(
        line,
        externalAddress,
        externalPorts,
        BackendPool.single(backend),
        backendPorts,
        protocols,
        allowedSources,
        masquerade,
        proxyProtocol,
        description,
        Optional.empty());
  }

  /** This forward translating its clients' connections to {@code address} ({@code snat=}). */
  public Forward withSnat(Optional<InetAddress> address) {
    return new Forward(
        line,
        externalAddress,
        externalPorts,
        pool,
        backendPorts,
        protocols,
        allowedSources,
        masquerade,
        proxyProtocol,
        description,
        address,
        columns);
  }

  /** A forward with the defaults of the table format: both protocols, masquerade, no extras. */
  public static Forward simple(int line, int externalPort, InetAddress backend, int backendPort) {
    return new Forward(
        line,
        Optional.empty(),
        PortRange.of(externalPort),
        backend,
        PortRange.of(backendPort),
        Set.of(Protocol.TCP, Protocol.UDP),
        List.of(),
        true,
        ProxyProtocol.NONE,
        "");
  }

  /**
   * The first backend in rotation: the only one of a one-backend forward, the one a failover
   * forward uses.
   *
   * @throws IllegalStateException when the backends are names not resolved yet
   */
  public InetAddress backend() {
    return pool.primary();
  }

  /**
   * The family of the backend, which is the family of the packets the kernel rewrites. Before its
   * names are resolved: the external address's, else IPv4 (names resolve to that family first).
   */
  public IpFamily family() {
    if (pool.isResolved()) {
      return IpFamily.of(pool.primary());
    }
    return externalAddress.map(IpFamily::of).orElse(IpFamily.IPV4);
  }

  /** This forward with {@code members} as its backends in rotation. */
  public Forward withMembers(List<BackendMember> members) {
    return new Forward(
        line,
        externalAddress,
        externalPorts,
        pool.withMembers(members),
        backendPorts,
        protocols,
        allowedSources,
        masquerade,
        proxyProtocol,
        description,
        snat,
        columns);
  }

  /** How far backend ports sit from external ports (0 for "same ports"). */
  public int portOffset() {
    return backendPorts.first() - externalPorts.first();
  }

  /** The protocols in a fixed order (TCP before UDP), for stable output. */
  public List<Protocol> protocolList() {
    return sortedProtocols(protocols);
  }

  public boolean carries(Protocol protocol) {
    return protocols.contains(protocol);
  }

  /** True when only {@code allowedSources} may use the forward. */
  public boolean isRestricted() {
    return !allowedSources.isEmpty();
  }

  /** {@code 13102}, {@code 198.51.100.7:443} or {@code [2001:db8::1]:443}: the external side. */
  public String externalText() {
    return externalAddress
        .map(a -> Addresses.withPort(a, externalPorts))
        .orElse(externalPorts.toString());
  }

  /**
   * {@code 172.16.0.2:80}: the backend side; {@code 192.0.2.2,game.test port 80} for several
   * backends or names.
   */
  public String backendText() {
    if (pool.written().size() == 1 && !pool.hasNames()) {
      return Addresses.withPort(pool.primary(), backendPorts);
    }
    return pool.writtenText() + " port " + backendPorts;
  }

  /** {@code tcp,udp}, {@code tcp} or {@code udp}. */
  public String protocolText() {
    return String.join(",", protocolList().stream().map(Protocol::keyword).toList());
  }

  /** This forward with another line number; used when forwards are moved between tables. */
  public Forward withLine(int newLine) {
    return new Forward(
        newLine,
        externalAddress,
        externalPorts,
        pool,
        backendPorts,
        protocols,
        allowedSources,
        masquerade,
        proxyProtocol,
        description,
        snat,
        columns);
  }

  /** Equal when everything but {@link #columns} is: spacing does not make another forward. */
  @Override
  public boolean equals(Object other) {
    return other instanceof Forward f
        && line == f.line
        && masquerade == f.masquerade
        && externalAddress.equals(f.externalAddress)
        && externalPorts.equals(f.externalPorts)
        && pool.equals(f.pool)
        && backendPorts.equals(f.backendPorts)
        && protocols.equals(f.protocols)
        && allowedSources.equals(f.allowedSources)
        && proxyProtocol == f.proxyProtocol
        && description.equals(f.description)
        && snat.equals(f.snat);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        line,
        externalAddress,
        externalPorts,
        pool,
        backendPorts,
        protocols,
        allowedSources,
        masquerade,
        proxyProtocol,
        description,
        snat);
  }

  private static List<Protocol> sortedProtocols(Set<Protocol> protocols) {
    boolean tcp = protocols.contains(Protocol.TCP);
    boolean udp = protocols.contains(Protocol.UDP);
    return tcp && udp
        ? List.of(Protocol.TCP, Protocol.UDP)
        : List.of(tcp ? Protocol.TCP : Protocol.UDP);
  }
}
