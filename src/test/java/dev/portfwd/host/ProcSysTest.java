package dev.portfwd.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcSysTest {

  @TempDir Path root;

  @Test
  void keysBecomeFilesWithSlashesStandingForDotsInNames() {
    assertThat(ProcSys.path(Path.of("/proc/sys"), "net.ipv4.conf.eth0/5.rp_filter"))
        .isEqualTo(Path.of("/proc/sys/net/ipv4/conf/eth0.5/rp_filter"));
  }

  @Test
  void refusesKeysThatWouldLeaveTheFolder() {
    for (String key :
        List.of("net..ip_forward", "net.ipv4.conf./.x", "net.ipv4.//.x", "net.", "")) {
      assertThatThrownBy(() -> ProcSys.path(Path.of("/proc/sys"), key))
          .as(key)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void readsAndWritesTheFilesThemselvesInItsOwnNamespace() throws IOException {
    Path file = root.resolve("net/ipv4/ip_forward");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "0\n");
    ProcSys procSys = ProcSys.files(root);

    procSys.write("net.ipv4.ip_forward", "1");

    assertThat(procSys.read("net.ipv4.ip_forward")).isEqualTo("1");
    assertThat(procSys.read(List.of("net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding")))
        .containsExactlyEntriesOf(java.util.Map.of("net.ipv4.ip_forward", "1"));
  }

  @Test
  void neverCreatesAParameterTheKernelDoesNotHave() {
    ProcSys procSys = ProcSys.files(root);
    assertThatThrownBy(() -> procSys.write("net.ipv4.no_such_thing", "1"))
        .hasMessageContaining("no_such_thing: does not exist");
    assertThat(root.resolve("net")).doesNotExist();
    assertThatThrownBy(() -> procSys.read("net.ipv4.ip_forward"))
        .hasMessageEndingWith("ip_forward: does not exist");
  }

  @Test
  void goesThroughARunnerThatActsInAnotherNamespace() throws IOException {
    List<List<String>> ran = new ArrayList<>();
    CommandRunner namespaced =
        new CommandRunner() {
          @Override
          public CommandResult run(List<String> argv, String stdin) {
            ran.add(argv);
            return argv.get(0).equals("grep")
                ? new CommandResult(argv, 0, "/proc/sys/net/ipv4/ip_forward:1\n", "")
                : new CommandResult(argv, 0, stdin, "");
          }

          @Override
          public boolean isInstalled(String program) {
            return true;
          }
        };
    ProcSys procSys = ProcSys.of(namespaced);

    assertThat(procSys.read(List.of("net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding")))
        .containsOnlyKeys("net.ipv4.ip_forward");
    procSys.write("net.ipv4.ip_forward", "0");

    assertThat(ran)
        .containsExactly(
            List.of(
                "grep",
                "-Hs",
                "^",
                "/proc/sys/net/ipv4/ip_forward",
                "/proc/sys/net/ipv6/conf/all/forwarding"),
            List.of("tee", "/proc/sys/net/ipv4/ip_forward"));
  }

  @Test
  void onlyARunnerWithoutPrefixReadsThisProcessNamespace() {
    assertThat(new ProcessCommandRunner().actsInThisProcessNetworkNamespace()).isTrue();
    assertThat(ProcessCommandRunner.inNamespace("x").actsInThisProcessNetworkNamespace()).isFalse();
  }
}
