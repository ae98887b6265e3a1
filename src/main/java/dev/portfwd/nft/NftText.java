package dev.portfwd.nft;

import dev.portfwd.compile.Comments;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.PortRange;
import java.net.InetAddress;

/**
 * Spelling of values in nft scripts. The one place that decides what text from a table may reach a
 * script: addresses and ports are re-printed from parsed values, and descriptions pass through
 * {@link #comment}, so no table field can inject nft syntax.
 */
final class NftText {

  /** nft refuses comments longer than this many bytes (NFTNL_UDATA_COMMENT_MAXLEN). */
  static final int COMMENT_MAX_BYTES = 128;

  private NftText() {}

  /**
   * {@code description} made safe for {@code comment "…"}: nft's lexer ends a string at the next
   * double quote and has no escape for it, so {@code "} becomes {@code '}; control characters (no
   * string may span lines) become spaces; the result is cut to 128 bytes of UTF-8 without splitting
   * a character. Everything else (semicolons, braces, backslashes, non-ASCII) is inert inside the
   * quotes.
   */
  static String comment(String description) {
    return Comments.fit(description, COMMENT_MAX_BYTES, '\'');
  }

  /** {@code 80} or {@code 8000-8009}. */
  static String ports(PortRange range) {
    return range.toString();
  }

  static PortRange parsePorts(String text) {
    int dash = text.indexOf('-');
    return dash < 0
        ? PortRange.of(Integer.parseInt(text))
        : new PortRange(
            Integer.parseInt(text.substring(0, dash)), Integer.parseInt(text.substring(dash + 1)));
  }

  /** A host block prints as the bare address, as nft lists it. */
  static String cidr(Cidr cidr) {
    return cidr.prefixLength() == cidr.network().getAddress().length * 8
        ? Addresses.format(cidr.network())
        : cidr.toString();
  }

  static Cidr parseCidr(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      return Cidr.host(parseAddress(text));
    }
    return new Cidr(
        parseAddress(text.substring(0, slash)), Integer.parseInt(text.substring(slash + 1)));
  }

  static InetAddress parseAddress(String text) {
    return Addresses.parse(text)
        .orElseThrow(() -> new IllegalArgumentException("not an address: " + text));
  }
}
