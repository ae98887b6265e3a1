package dev.portfwd.table;

import dev.portfwd.model.Cidr;
import dev.portfwd.model.Forward;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.Protocol;
import dev.portfwd.model.ProxyProtocol;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Owns the warnings about a line that parsed but probably does not do what its author wants: a
 * backend the kernel cannot reach, options that cannot take effect, a forward that takes the
 * gateway's own SSH port.
 */
final class LikelyMistakes {

  private LikelyMistakes() {}

  /**
   * Reports every likely mistake in {@code forward}, read from the columns {@code external}, {@code
   * backend} and {@code options} (lower-case key to its column) of its line.
   */
  static void warn(
      Forward forward,
      Token external,
      Token backend,
      Map<String, Token> options,
      LineDiagnostics report) {
    // A rewritten packet is routed on, and the kernel drops one bound for a loopback address that
    // came in from outside as a martian; the relay connects from the gateway itself instead.
    List<InetAddress> literals =
        forward.pool().written().stream().flatMap(spec -> spec.address().stream()).toList();
    if (literals.stream().anyMatch(InetAddress::isLoopbackAddress)) {
      report.loopbackBackend(backend.column(), backend.text());
    }
    // Kernel NAT rewrites within one IP version; only the relay, a userspace proxy, can bridge.
    Optional<Class<?>> family =
        forward
            .externalAddress()
            .<Class<?>>map(Object::getClass)
            .or(() -> literals.stream().findFirst().map(Object::getClass));
    if (family.isPresent() && literals.stream().anyMatch(a -> !a.getClass().equals(family.get()))) {
      report.mixedFamilies(backend.column());
    }
    if (options.containsKey("balance")
        && forward.pool().written().size() == 1
        && !forward.pool().hasNames()) {
      report.balanceOfOneBackend(options.get("balance").column());
    }
    // A proxy protocol other than NONE and any allowed source were written as options, so their
    // columns are there to point at.
    if (forward.proxyProtocol() == ProxyProtocol.V1 && forward.carries(Protocol.UDP)) {
      report.proxyV1OverUdp(options.get("proxy-protocol").column());
    }
    for (Cidr cidr : forward.allowedSources()) {
      if (forward.externalAddress().isPresent()
          && cidr.family() != IpFamily.of(forward.externalAddress().get())) {
        report.sourceOfOtherFamily(options.get("from").column(), cidr);
      }
    }
    if (forward.externalAddress().isEmpty()
        && forward.externalPorts().contains(22)
        && forward.carries(Protocol.TCP)) {
      report.sshPortOnEveryAddress(external.column());
    }
  }
}
