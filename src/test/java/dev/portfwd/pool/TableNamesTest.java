package dev.portfwd.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.ForwardTable;
import dev.portfwd.table.TableParser;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableNamesTest {

  @Test
  void resolvesEachNameOnceAndNamesTheLinesOfThoseThatFail() throws Exception {
    List<String> asked = new ArrayList<>();
    InetAddress two = InetAddress.getByName("192.0.2.2");
    NameResolver resolver =
        (name, family) -> {
          asked.add(name);
          return name.equals("game.test")
              ? Resolution.of(List.of(two), Duration.ofSeconds(60))
              : Resolution.failed("no such name");
        };
    ForwardTable table =
        TableParser.parse("t", "80 game.test 80 tcp\n81 game.test 81 tcp\n82 nowhere.test 82 tcp\n")
            .table();

    TableNames.Resolved resolved = TableNames.resolve(table, resolver);

    assertThat(asked).containsExactly("game.test", "nowhere.test");
    assertThat(resolved.failures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.forward().line()).isEqualTo(3);
              assertThat(f.name()).isEqualTo("nowhere.test");
              assertThat(f.why()).isEqualTo("no such name");
            });
    assertThat(resolved.table(table).forwards()).hasSize(2);
    assertThat(resolved.table(table).forwards().get(1).backend()).isEqualTo(two);
  }
}
