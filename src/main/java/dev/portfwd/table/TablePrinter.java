package dev.portfwd.table;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.ProxyProtocol;
import java.util.StringJoiner;

/**
 * Writes forwards back in the table language, one line each, with every column explicit except
 * options at their defaults. {@link TableParser} reads what this writes to the same forwards.
 */
public final class TablePrinter {

  private TablePrinter() {}

  /** The whole table, one line per forward, each ending in a newline. */
  public static String print(ForwardTable table) {
    StringBuilder out = new StringBuilder();
    for (Forward forward : table.forwards()) {
      out.append(line(forward)).append('\n');
    }
    return out.toString();
  }

  /** One forward as a table line, e.g. {@code 13102 172.16.0.2 80 tcp,udp # Netbook Apache}. */
  public static String line(Forward forward) {
    StringJoiner columns = new StringJoiner(" ");
    columns.add(forward.externalText());
    columns.add(forward.pool().writtenText());
    columns.add(forward.backendPorts().toString());
    columns.add(forward.protocolText());
    if (forward.isRestricted()) {
      StringJoiner sources = new StringJoiner(",", "from=", "");
      for (Cidr cidr : forward.allowedSources()) {
        sources.add(cidr.toString());
      }
      columns.add(sources.toString());
    }
    if (!forward.masquerade()) {
      columns.add("masquerade=no");
    }
    if (forward.proxyProtocol() != ProxyProtocol.NONE) {
      columns.add("proxy-protocol=" + forward.proxyProtocol().keyword());
    }
    forward.pool().balance().ifPresent(b -> columns.add("balance=" + b.keyword()));
    forward.pool().check().ifPresent(c -> columns.add("check=" + c.keyword()));
    forward.snat().ifPresent(a -> columns.add("snat=" + Addresses.format(a)));
    if (!forward.description().isEmpty()) {
      columns.add("# " + forward.description());
    }
    return columns.toString();
  }
}
