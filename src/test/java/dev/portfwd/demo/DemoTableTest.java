package dev.portfwd.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.table.TableParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DemoTableTest {

  @Test
  void shippedExampleIsTheTableTheDemoApplies() throws Exception {
    assertThat(Files.readString(Path.of("examples/demo-ports.txt"))).isEqualTo(Demo.table());
  }

  @Test
  void demoTableIsValid() {
    assertThat(TableParser.parse("demo-ports.txt", Demo.table()).hasErrors()).isFalse();
  }
}
