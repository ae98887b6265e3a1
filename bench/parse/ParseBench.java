import dev.portfwd.table.ParseResult;
import dev.portfwd.table.TableParser;
import java.util.Arrays;

/**
 * Parses and validates a generated 100,000-line table repeatedly and prints the median and best
 * time. Run through run.sh (single-file source launch against the built jar).
 */
public class ParseBench {
  public static void main(String[] args) {
    int lines = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    String table = generate(lines);

    // A cold run first: the number a user sees on a one-shot `portfwd check`.
    long coldStart = System.nanoTime();
    ParseResult cold = TableParser.parse("bench", table);
    long coldNanos = System.nanoTime() - coldStart;
    if (cold.hasErrors() || cold.table().forwards().size() != lines) {
      throw new IllegalStateException("generated table did not parse cleanly: " + cold.errors().get(0).headline());
    }
    long[] nanos = new long[rounds];
    for (int i = 0; i < rounds; i++) {
      long start = System.nanoTime();
      TableParser.parse("bench", table);
      nanos[i] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    System.out.printf("lines=%d cold=%.0f ms warm-median=%.0f ms warm-best=%.0f ms (%d rounds)%n",
        lines, coldNanos / 1e6, nanos[rounds / 2] / 1e6, nanos[0] / 1e6, rounds);
  }

  /** A realistic mix: single ports, ranges, shifted ranges, options, comments and blank lines. */
  static String generate(int lines) {
    StringBuilder out = new StringBuilder(lines * 48);
    for (int i = 0; i < lines; i++) {
      int port = 1 + (i % 60_000);
      String backend = (i / 60_000 == 0) ? "192.0.2." + (1 + i % 250) : "2001:db8::" + Integer.toHexString(1 + i % 250);
      String protocol = (i / 60_000 == 0) ? "tcp,udp" : "tcp";
      switch (i % 4) {
        case 0 -> out.append(port).append(' ').append(backend).append(' ').append(port).append(' ').append(protocol)
            .append(" # service ").append(i).append('\n');
        case 1 -> out.append(port).append('\t').append(backend).append('\t').append(protocol)
            .append(" from=203.0.113.0/24\n");
        case 2 -> out.append(port).append(' ').append(backend).append(' ').append(port + 1).append(' ').append(protocol)
            .append(" masquerade=no # shifted\n");
        default -> out.append(port).append(' ').append(backend).append(" RANGE ").append(protocol).append('\n');
      }
    }
    return out.toString();
  }
}
