package dev.portfwd.nft;

import dev.portfwd.compile.CompiledForward;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.PortRange;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * A digest of what portfwd's table holds, stored in the table by each transaction that changes its
 * elements. A later plan that finds the digest of its recorded state in the kernel knows the kernel
 * still holds exactly what portfwd installed, without listing every element (which costs nft and
 * the parser more than the rest of a plan; bench/RESULTS.md).
 *
 * <p>It is taken over the kernel-form forwards rather than the elements, which {@link
 * ElementCodec#encode} derives from them deterministically: the forwards are at hand without
 * encoding 20,000 elements twice. {@link #ENCODING} names that derivation; change it whenever the
 * elements of a forward change, so tables written the old way are listed, not trusted.
 */
final class ElementDigest {

  /** Prefix of the marker element's comment; the digest follows as 16 hex digits. */
  static final String PREFIX = "crc64 ";

  static final String ENCODING = Skeleton.VERSION + ", elements 2";

  private ElementDigest() {}

  /** The digest of the elements {@code forwards} (kernel form, in canonical order) encode to. */
  static String of(List<CompiledForward> forwards) {
    // Fields go to a byte buffer hashed in one call: many small update calls cost a cold JVM more.
    Buffer bytes = new Buffer(64 * forwards.size() + 64);
    bytes.put(ENCODING.getBytes(StandardCharsets.UTF_8));
    for (CompiledForward f : forwards) {
      bytes.put((byte) f.family().ordinal());
      bytes.put((byte) f.protocol().ordinal());
      if (f.externalAddress().isPresent()) {
        address(bytes, f.externalAddress().get());
      } else {
        bytes.put((byte) 0);
      }
      ports(bytes, f.externalPorts());
      address(bytes, f.backend());
      if (f.spread().isPresent()) {
        bytes.put((byte) (1 + f.spread().get().balance().ordinal()));
        bytes.putShort(f.spread().get().backends().size());
        for (InetAddress backend : f.spread().get().backends()) {
          address(bytes, backend);
        }
      } else {
        bytes.put((byte) 0);
      }
      ports(bytes, f.backendPorts());
      List<Cidr> sources = f.allowedSources();
      bytes.putShort(sources.size());
      for (Cidr source : sources) {
        address(bytes, source.network());
        bytes.put((byte) source.prefixLength());
      }
      bytes.put((byte) (f.masquerade() ? 1 : 0));
      if (f.snat().isPresent()) {
        address(bytes, f.snat().get());
      } else {
        bytes.put((byte) 0);
      }
      byte[] description = f.description().getBytes(StandardCharsets.UTF_8);
      bytes.putShort(description.length);
      bytes.put(description);
    }
    // Two CRCs of different polynomials, 64 bits: no adversary writes portfwd's table, and a chance
    // difference goes unseen with odds of 2^-64. SHA-256 costs a cold JVM provider set-up and has
    // no
    // intrinsics in C1; the CRCs run as the JVM's built-in stubs (bench/RESULTS.md).
    CRC32 crc = new CRC32();
    crc.update(bytes.array, 0, bytes.size);
    CRC32C crcC = new CRC32C();
    crcC.update(bytes.array, 0, bytes.size);
    return PREFIX
        + HexFormat.of().toHexDigits((int) crc.getValue())
        + HexFormat.of().toHexDigits((int) crcC.getValue());
  }

  private static void address(Buffer bytes, InetAddress address) {
    byte[] raw = address.getAddress();
    bytes.put((byte) raw.length);
    bytes.put(raw);
  }

  private static void ports(Buffer bytes, PortRange ports) {
    bytes.putShort(ports.first());
    bytes.putShort(ports.last());
  }

  /** A growable byte array. */
  private static final class Buffer {
    private byte[] array;
    private int size;

    Buffer(int capacity) {
      array = new byte[capacity];
    }

    void put(byte b) {
      room(1);
      array[size++] = b;
    }

    void putShort(int value) {
      room(2);
      array[size++] = (byte) (value >> 8);
      array[size++] = (byte) value;
    }

    void put(byte[] bytes) {
      room(bytes.length);
      System.arraycopy(bytes, 0, array, size, bytes.length);
      size += bytes.length;
    }

    private void room(int more) {
      if (size + more > array.length) {
        array = Arrays.copyOf(array, Math.max(2 * array.length, size + more));
      }
    }
  }
}
