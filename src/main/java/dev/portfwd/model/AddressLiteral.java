package dev.portfwd.model;

import java.util.Optional;

/**
 * Owns reading IPv4 and IPv6 address literals into their bytes, by hand, so that no text ever
 * reaches the name service.
 *
 * <p>What it accepts is what portfwd accepted when Netty's {@code NetUtil} read its literals, so
 * tables and state files read the same: IPv4 as four decimal parts of 1-3 digits (leading zeros
 * allowed, read as decimal, never octal); IPv6 as in RFC 4291, optionally in brackets, with a
 * dotted quad at the end only after a prefix of zeros or {@code ::ffff}, and never with a zone id.
 */
final class AddressLiteral {

  private static final int IPV6_WORDS = 8;

  private AddressLiteral() {}

  /** The four bytes of the IPv4 literal {@code text}, or empty when it is none. */
  static Optional<byte[]> ipv4(String text) {
    return ipv4(text, 0, text.length());
  }

  /**
   * The sixteen bytes of the IPv6 literal {@code text} (in brackets or not), or empty when it is
   * none. A dotted quad at its end always yields an IPv4-mapped address ({@code ::ffff:a.b.c.d}),
   * also after a prefix of zeros, which the JDK then turns into the plain IPv4 address.
   */
  static Optional<byte[]> ipv6(String text) {
    int from = 0;
    int to = text.length();
    if (text.startsWith("[") && text.endsWith("]")) {
      from = 1;
      to--;
    }
    int compress = text.indexOf("::", from);
    if (compress >= 0 && text.indexOf("::", compress + 1) >= 0) {
      return Optional.empty(); // "::" at most once, and never ":::"
    }
    int[] head = new int[IPV6_WORDS];
    int[] tail = new int[IPV6_WORDS];
    // Without "::" the dotted quad can only end the whole literal; with it, only the part after.
    int headWords = words(text, from, compress >= 0 ? compress : to, compress < 0, head);
    int tailWords = compress >= 0 ? words(text, compress + 2, to, true, tail) : 0;
    if (headWords < 0 || tailWords < 0) {
      return Optional.empty();
    }
    // "::" stands for at least one word of zeros.
    if (compress < 0 ? headWords != IPV6_WORDS : headWords + tailWords > IPV6_WORDS - 1) {
      return Optional.empty();
    }
    int[] words = new int[IPV6_WORDS];
    System.arraycopy(head, 0, words, 0, headWords);
    System.arraycopy(tail, 0, words, IPV6_WORDS - tailWords, tailWords);
    if (text.indexOf('.', from) >= 0) { // a dotted quad was read as the last two words
      for (int i = 0; i < 5; i++) {
        if (words[i] != 0) {
          return Optional.empty();
        }
      }
      if (words[5] != 0 && words[5] != 0xffff) {
        return Optional.empty();
      }
      words[5] = 0xffff;
    }
    byte[] bytes = new byte[2 * IPV6_WORDS];
    for (int i = 0; i < IPV6_WORDS; i++) {
      bytes[2 * i] = (byte) (words[i] >> 8);
      bytes[2 * i + 1] = (byte) words[i];
    }
    return Optional.of(bytes);
  }

  /**
   * Reads the colon-separated groups of {@code text[from, to)} into {@code words}: each 1-4 hex
   * digits, or, last and when {@code quadAllowed}, a dotted quad worth two words. Returns how many
   * words were read (0 for an empty range), or -1 when a group is neither or there are too many.
   */
  private static int words(String text, int from, int to, boolean quadAllowed, int[] words) {
    if (from == to) {
      return 0;
    }
    int count = 0;
    int start = from;
    while (true) {
      int end = text.indexOf(':', start);
      if (end < 0 || end > to) {
        end = to;
      }
      if (end == to && quadAllowed && text.lastIndexOf('.', to - 1) >= start) {
        Optional<byte[]> quad = ipv4(text, start, to);
        if (quad.isEmpty() || count + 2 > words.length) {
          return -1;
        }
        byte[] q = quad.get();
        words[count++] = (q[0] & 0xff) << 8 | q[1] & 0xff;
        words[count++] = (q[2] & 0xff) << 8 | q[3] & 0xff;
        return count;
      }
      int word = hexWord(text, start, end);
      if (word < 0 || count == words.length) {
        return -1;
      }
      words[count++] = word;
      if (end == to) {
        return count;
      }
      start = end + 1;
    }
  }

  /** The value of the 1-4 ASCII hex digits {@code text[from, to)}, or -1. */
  private static int hexWord(String text, int from, int to) {
    if (to - from < 1 || to - from > 4) {
      return -1;
    }
    int value = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      int digit;
      if (c >= '0' && c <= '9') {
        digit = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        digit = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        digit = c - 'A' + 10;
      } else {
        return -1;
      }
      value = value << 4 | digit;
    }
    return value;
  }

  /** Four dot-separated parts of 1-3 ASCII digits, each at most 255, in {@code text[from, to)}. */
  private static Optional<byte[]> ipv4(String text, int from, int to) {
    if (to - from < 7 || to - from > 15) {
      return Optional.empty();
    }
    byte[] bytes = new byte[4];
    int part = 0;
    int value = 0;
    int digits = 0;
    for (int i = from; i <= to; i++) {
      char c = i < to ? text.charAt(i) : '.';
      if (c >= '0' && c <= '9') {
        value = value * 10 + (c - '0');
        if (++digits > 3 || value > 255) {
          return Optional.empty();
        }
      } else if (c == '.' && digits > 0 && part < 4) {
        bytes[part++] = (byte) value;
        value = 0;
        digits = 0;
      } else {
        return Optional.empty();
      }
    }
    return part == 4 ? Optional.of(bytes) : Optional.empty();
  }
}
