package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.table.TableParser;

/** Routes made from table lines, as the relay makes them, for handler tests. */
final class LineRoutes {

  private LineRoutes() {}

  /** The route of a table holding only {@code line}, counting into {@code counters}. */
  static Route of(String line, RelayCounters counters) {
    var parsed = TableParser.parse("t", line + "\n");
    assertThat(parsed.errors()).as(line).isEmpty();
    return RelayPlan.routes(parsed.table(), counters).values().iterator().next();
  }
}
