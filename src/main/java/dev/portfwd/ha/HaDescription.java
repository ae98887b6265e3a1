package dev.portfwd.ha;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An HA pair as its description file states it: the two virtual addresses VRRP moves, the VRRP
 * settings, and both gateways. Both gateways read the same description, so their configurations
 * cannot disagree; {@code portfwd ha config --gateway NAME} picks the side.
 *
 * @param advertInterval VRRP's advertisement interval; below one second the pair speaks VRRPv3,
 *     which allows centisecond intervals but has no authentication
 * @param secret the VRRPv2 password (1 to 8 characters, VRRP's own limit)
 */
public record HaDescription(
    String source,
    VirtualAddress virtualPublic,
    VirtualAddress virtualVpn,
    int routerId,
    String secret,
    Duration advertInterval,
    int syncPort,
    List<HaGateway> gateways) {

  public HaDescription {
    Objects.requireNonNull(source, "source");
    gateways = List.copyOf(gateways);
    if (gateways.size() != 2) {
      throw new IllegalArgumentException("an HA pair has two gateways");
    }
  }

  /** The gateway named {@code name}, if the description has one. */
  public Optional<HaGateway> gateway(String name) {
    return gateways.stream().filter(g -> g.name().equals(name)).findFirst();
  }

  /** The other gateway of the pair. */
  public HaGateway peerOf(HaGateway self) {
    return gateways.get(0).equals(self) ? gateways.get(1) : gateways.get(0);
  }

  /** True when VRRP runs as version 3: intervals below a second need it. */
  public boolean vrrpVersion3() {
    return advertInterval.compareTo(Duration.ofSeconds(1)) < 0;
  }
}
