package dev.portfwd.compile;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One forward for one protocol, the unit every kernel backend installs, reads back and diffs.
 * Backend-neutral: it knows nothing of nft maps or iptables chains.
 *
 * <p>{@code allowedSources} is normalised (sorted, no block inside another) so that a forward read
 * back from the kernel compares equal to the one compiled from the table.
 *
 * @param family the IP version of the packets rewritten (the backend's, and the external address's
 *     when one is named)
 * @param externalAddress the address the forward is bound to; empty means any of the gateway's own
 * @param description the table's description; backends may shorten it to fit their comments
 * @param spread the backends new connections are spread over, when more than one is in rotation
 *     ({@code balance=roundrobin|hash}); the first is {@code backend}
 * @param snat the address the translated connections' source becomes instead of masquerade's pick
 *     ({@code snat=}); when present, {@code masquerade} is true
 */
public record CompiledForward(
    IpFamily family,
    Optional<InetAddress> externalAddress,
    Protocol protocol,
    PortRange externalPorts,
    InetAddress backend,
    PortRange backendPorts,
    List<Cidr> allowedSources,
    boolean masquerade,
    String description,
    Optional<InetAddress> snat,
    Optional<Spread> spread) {

  /** A forward to one backend, without {@code snat=}. */
  public CompiledForward(
      IpFamily family,
      Optional<InetAddress> externalAddress,
      Protocol protocol,
      PortRange externalPorts,
      InetAddress backend,
      PortRange backendPorts,
      List<Cidr> allowedSources,
      boolean masquerade,
      String description) {
    this(
        family,
        externalAddress,
        protocol,
        externalPorts,
        backend,
        backendPorts,
        allowedSources,
        masquerade,
        description,
        Optional.empty(),
        Optional.empty());
  }

  /** Orders forwards the way plans and status print them: family, port, protocol, address. */
  public static final Comparator<CompiledForward> ORDER = CompiledForward::compareInOrder;

  /**
   * {@link #ORDER}: family, first port, last port, protocol, then the external address as text
   * (none first). Written out rather than chained from key extractors: it runs a few hundred
   * thousand times per 10,000-forward apply, in a JVM that has not compiled anything yet.
   */
  private static int compareInOrder(CompiledForward a, CompiledForward b) {
    int c = a.family.compareTo(b.family);
    if (c == 0) {
      c = Integer.compare(a.externalPorts.first(), b.externalPorts.first());
    }
    if (c == 0) {
      c = Integer.compare(a.externalPorts.last(), b.externalPorts.last());
    }
    if (c == 0) {
      c = a.protocol.compareTo(b.protocol);
    }
    if (c == 0 && (a.externalAddress.isPresent() || b.externalAddress.isPresent())) {
      c =
          a.externalAddress
              .map(Addresses::format)
              .orElse("")
              .compareTo(b.externalAddress.map(Addresses::format).orElse(""));
    }
    return c;
  }

  public CompiledForward {
    Objects.requireNonNull(externalAddress, "externalAddress");
    Objects.requireNonNull(snat, "snat");
    if (snat.isPresent() && (!masquerade || IpFamily.of(snat.get()) != family)) {
      throw new IllegalArgumentException(
          "snat needs source translation and the forward's IP version");
    }
    Objects.requireNonNull(spread, "spread");
    if (spread.isPresent()) {
      if (!spread.get().backends().get(0).equals(backend)) {
        throw new IllegalArgumentException("a spread starts with the forward's backend");
      }
      if (IpFamily.of(spread.get().backends().get(0)) != family) {
        throw new IllegalArgumentException("addresses of one forward must share one IP version");
      }
    }
    Objects.requireNonNull(description, "description");
    if (externalPorts.size() != backendPorts.size()) {
      throw new IllegalArgumentException("port ranges differ in size");
    }
    boolean mixed =
        IpFamily.of(backend) != family
            || (externalAddress.isPresent() && IpFamily.of(externalAddress.get()) != family);
    for (Cidr source : allowedSources) {
      mixed |= source.family() != family;
    }
    if (mixed) {
      throw new IllegalArgumentException("addresses of one forward must share one IP version");
    }
    allowedSources = SourceBlocks.normalize(allowedSources);
  }

  /** What identifies a forward across a change: where it listens, not where it sends. */
  public record Key(
      IpFamily family,
      Optional<InetAddress> externalAddress,
      Protocol protocol,
      PortRange externalPorts) {
    // Written out like CompiledForward's: plans hash one key per forward.
    @Override
    public boolean equals(Object other) {
      return other instanceof Key k
          && family == k.family
          && protocol == k.protocol
          && externalPorts.equals(k.externalPorts)
          && externalAddress.equals(k.externalAddress);
    }

    @Override
    public int hashCode() {
      return ((family.ordinal() * 31 + externalAddress.hashCode()) * 31 + protocol.ordinal()) * 31
          + externalPorts.hashCode();
    }
  }

  /**
   * Component by component, as the record would; written out because the generated method goes
   * through method handles that a cold, C1-only JVM runs slowly, and plans compare every forward.
   */
  @Override
  public boolean equals(Object other) {
    return other instanceof CompiledForward f
        && family == f.family
        && protocol == f.protocol
        && masquerade == f.masquerade
        && externalPorts.equals(f.externalPorts)
        && backendPorts.equals(f.backendPorts)
        && backend.equals(f.backend)
        && externalAddress.equals(f.externalAddress)
        && description.equals(f.description)
        && allowedSources.equals(f.allowedSources)
        && snat.equals(f.snat)
        && spread.equals(f.spread);
  }

  @Override
  public int hashCode() {
    int h = family.ordinal();
    h = h * 31 + externalAddress.hashCode();
    h = h * 31 + protocol.ordinal();
    h = h * 31 + externalPorts.hashCode();
    h = h * 31 + backend.hashCode();
    h = h * 31 + backendPorts.hashCode();
    h = h * 31 + allowedSources.hashCode();
    h = h * 31 + Boolean.hashCode(masquerade);
    h = h * 31 + snat.hashCode();
    h = h * 31 + spread.hashCode();
    return h * 31 + description.hashCode();
  }

  public Key key() {
    return new Key(family, externalAddress, protocol, externalPorts);
  }

  /** True when only {@code allowedSources} may use the forward. */
  public boolean isRestricted() {
    return !allowedSources.isEmpty();
  }

  /** How far backend ports sit from external ports; 0 for "same ports". */
  public int portOffset() {
    return backendPorts.first() - externalPorts.first();
  }

  /** This forward with another description (backends cut descriptions to their limits). */
  public CompiledForward withDescription(String newDescription) {
    if (newDescription.equals(description)) {
      return this; // the common case: a description that already fits
    }
    return new CompiledForward(
        family,
        externalAddress,
        protocol,
        externalPorts,
        backend,
        backendPorts,
        allowedSources,
        masquerade,
        newDescription,
        snat,
        spread);
  }

  /**
   * This forward once per backend it spreads over, each without the spread (what masquerade and
   * forward-accept rules are made of); just this forward when it has one backend.
   */
  public List<CompiledForward> eachBackend() {
    if (spread.isEmpty()) {
      return List.of(this);
    }
    List<CompiledForward> each = new java.util.ArrayList<>(spread.get().backends().size());
    for (InetAddress other : spread.get().backends()) {
      each.add(
          new CompiledForward(
              family,
              externalAddress,
              protocol,
              externalPorts,
              other,
              backendPorts,
              allowedSources,
              masquerade,
              description,
              snat,
              Optional.empty()));
    }
    return each;
  }

  /** This forward with another masquerade setting. */
  public CompiledForward withMasquerade(boolean newMasquerade) {
    return new CompiledForward(
        family,
        externalAddress,
        protocol,
        externalPorts,
        backend,
        backendPorts,
        allowedSources,
        newMasquerade,
        description,
        newMasquerade ? snat : Optional.empty(),
        spread);
  }

  /** This forward translating its source to {@code address} (masquerade on), or without. */
  public CompiledForward withSnat(Optional<InetAddress> address) {
    return new CompiledForward(
        family,
        externalAddress,
        protocol,
        externalPorts,
        backend,
        backendPorts,
        allowedSources,
        masquerade || address.isPresent(),
        description,
        address,
        spread);
  }

  /** {@code 13102/tcp}, {@code 198.51.100.7:443/tcp}, {@code [2001:db8::1]:443/udp}. */
  public String externalText() {
    String ports = externalPorts.toString();
    return externalAddress.map(a -> Addresses.withPort(a, ports)).orElse(ports)
        + "/"
        + protocol.keyword();
  }

  /** {@code 192.0.2.2:80} or {@code [2001:db8:2::2]:80}. */
  public String backendText() {
    if (spread.isPresent()) {
      return String.join(
              ",",
              spread.get().backends().stream()
                  .map(b -> Addresses.withPort(b, backendPorts))
                  .toList())
          + " "
          + spread.get().balance().keyword();
    }
    return Addresses.withPort(backend, backendPorts);
  }

  /** {@code from=203.0.113.0/24 masquerade=no}, or empty. */
  public String optionsText() {
    StringBuilder text = new StringBuilder();
    if (isRestricted()) {
      text.append("from=")
          .append(String.join(",", allowedSources.stream().map(Object::toString).toList()));
    }
    if (!masquerade) {
      text.append(text.length() > 0 ? " " : "").append("masquerade=no");
    }
    snat.ifPresent(
        a -> text.append(text.length() > 0 ? " " : "").append("snat=").append(Addresses.format(a)));
    return text.toString();
  }

  /** {@code 13102/tcp → 192.0.2.2:80 from=… Description}: one line for people. */
  public String describe() {
    StringBuilder line = new StringBuilder(externalText()).append(" → ").append(backendText());
    if (!optionsText().isEmpty()) {
      line.append("  ").append(optionsText());
    }
    if (!description.isEmpty()) {
      line.append("  ").append(description);
    }
    return line.toString();
  }
}
