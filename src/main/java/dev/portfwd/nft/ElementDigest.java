package dev.portfwd.nft;

import dev.portfwd.compile.CompiledForward;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.PortRange;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A digest of what portfwd's table holds, stored in the table by each transaction that changes its
 * elements. A later plan that finds the digest of its recorded state in the kernel knows the
 * kernel still holds exactly what portfwd installed, without listing 20,000 elements (nft takes
 * 0.7 s for that, and parsing it as long again).
 *
 * <p>It is taken over the kernel-form forwards rather than the elements, which {@link
 * ElementCodec#encode} derives from them deterministically: the forwards are at hand without
 * encoding 20,000 elements twice. {@link #ENCODING} names that derivation; change it whenever the
 * elements of a forward change, so tables written the old way are listed, not trusted.
 */
final class ElementDigest {

  /** Prefix of the marker element's comment; the hex digest follows. */
  static final String PREFIX = "sha256 ";

  static final String ENCODING = Skeleton.VERSION + ", elements 1";

  private ElementDigest() {}

  /** The digest of the elements {@code forwards} (kernel form, in canonical order) encode to. */
  static String of(List<CompiledForward> forwards) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    sha.update(ENCODING.getBytes(StandardCharsets.UTF_8));
    for (CompiledForward f : forwards) {
      sha.update((byte) f.family().ordinal());
      sha.update((byte) f.protocol().ordinal());
      if (f.externalAddress().isPresent()) {
        address(sha, f.externalAddress().get());
      } else {
        sha.update((byte) 0);
      }
      ports(sha, f.externalPorts());
      address(sha, f.backend());
      ports(sha, f.backendPorts());
      List<Cidr> sources = f.allowedSources();
      sha.update((byte) (sources.size() >> 8));
      sha.update((byte) sources.size());
      for (Cidr source : sources) {
        address(sha, source.network());
        sha.update((byte) source.prefixLength());
      }
      sha.update((byte) (f.masquerade() ? 1 : 0));
      byte[] description = f.description().getBytes(StandardCharsets.UTF_8);
      sha.update((byte) (description.length >> 8));
      sha.update((byte) description.length);
      sha.update(description);
    }
    return PREFIX + HexFormat.of().formatHex(sha.digest());
  }

  private static void address(MessageDigest sha, InetAddress address) {
    byte[] bytes = address.getAddress();
    sha.update((byte) bytes.length);
    sha.update(bytes);
  }

  private static void ports(MessageDigest sha, PortRange ports) {
    sha.update((byte) (ports.first() >> 8));
    sha.update((byte) ports.first());
    sha.update((byte) (ports.last() >> 8));
    sha.update((byte) ports.last());
  }
}
