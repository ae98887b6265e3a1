package dev.portfwd.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Golden files: {@code NAME.ha} and, per gateway, {@code NAME.GATEWAY.keepalived.conf}, {@code
 * .conntrackd.conf} and {@code .notify.sh}. {@code -Dgolden.update=true} rewrites them.
 */
class HaConfigTest {

  private static final Path DIR = Path.of("src/test/resources/ha");
  private static final HaPaths PATHS =
      new HaPaths(Path.of("/etc/portfwd/ha"), Path.of("/run/portfwd-ha"));

  @ParameterizedTest
  @CsvSource({"pair,gw-a", "pair,gw-b", "slow,a"})
  void writesTheGoldenFiles(String name, String gateway) throws IOException {
    HaFiles files = HaConfig.generate(description(name), gateway, PATHS);

    assertGolden(name + "." + gateway + ".keepalived.conf", files.keepalived());
    assertGolden(name + "." + gateway + ".conntrackd.conf", files.conntrackd());
    assertGolden(name + "." + gateway + ".notify.sh", files.notifyScript());
  }

  @Test
  void eachGatewayAdvertisesToTheOthersAddress() throws IOException {
    HaFiles a = HaConfig.generate(description("pair"), "gw-a", PATHS);

    assertThat(a.keepalived()).contains("unicast_src_ip 203.0.113.2", "203.0.113.3\n");
    assertThat(a.conntrackd())
        .contains("IPv4_address 198.51.100.1", "IPv4_Destination_Address 198.51.100.2");
  }

  @Test
  void rejectsAnUnknownGatewayAndUnsafePaths() throws IOException {
    HaDescription pair = description("pair");

    assertThatThrownBy(() -> HaConfig.generate(pair, "gw-c", PATHS))
        .hasMessageContaining("no gateway 'gw-c'")
        .hasMessageContaining("gw-a or gw-b");
    assertThatThrownBy(
            () ->
                HaConfig.generate(
                    pair, "gw-a", new HaPaths(Path.of("/etc/x\"y"), Path.of("/run/p"))))
        .hasMessageContaining("absolute path");
  }

  static HaDescription description(String name) throws IOException {
    Path file = DIR.resolve(name + ".ha");
    HaDescriptionParser.Result result =
        HaDescriptionParser.parse(file.toString(), Files.readString(file));
    assertThat(result.diagnostics()).isEmpty();
    return result.description().orElseThrow();
  }

  private static void assertGolden(String file, String actual) throws IOException {
    Path golden = DIR.resolve(file);
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(golden, actual);
    }
    assertThat(actual).as(file).isEqualTo(Files.readString(golden));
  }
}
