package dev.portfwd.model;

/**
 * An inclusive range of ports, {@code first..last}; a single port is a range of one.
 *
 * @throws IllegalArgumentException when a port is outside 1–65535 or the range is reversed
 */
public record PortRange(int first, int last) {

  // Written out: the generated equals and hashCode go through method handles, slow in the cold,
  // C1-only JVM of a CLI run, and plans compare two ranges per forward.
  @Override
  public boolean equals(Object other) {
    return other instanceof PortRange r && first == r.first && last == r.last;
  }

  // Not the record's 31 * first + last: that is 32 * port for single ports, which fills a 32th of
  // a HashMap's buckets and turns maps of 10,000 forwards keyed by port into trees.
  @Override
  public int hashCode() {
    return first * 65_537 + last;
  }

  public static final int MIN_PORT = 1;
  public static final int MAX_PORT = 65535;

  public PortRange {
    if (first < MIN_PORT || first > MAX_PORT || last < MIN_PORT || last > MAX_PORT) {
      throw new IllegalArgumentException("port out of range 1-65535: " + first + "-" + last);
    }
    if (last < first) {
      throw new IllegalArgumentException("reversed port range: " + first + "-" + last);
    }
  }

  /** A range holding the single port {@code port}. */
  public static PortRange of(int port) {
    return new PortRange(port, port);
  }

  /** How many ports the range holds. */
  public int size() {
    return last - first + 1;
  }

  public boolean isSinglePort() {
    return first == last;
  }

  public boolean contains(int port) {
    return port >= first && port <= last;
  }

  public boolean overlaps(PortRange other) {
    return first <= other.last && other.first <= last;
  }

  /** This range moved by {@code offset} ports (used for shifted ranges). */
  public PortRange shift(int offset) {
    return new PortRange(first + offset, last + offset);
  }

  /** {@code 80} for a single port, {@code 8000-8009} for a range: the table's own spelling. */
  @Override
  public String toString() {
    return isSinglePort() ? Integer.toString(first) : first + "-" + last;
  }
}
