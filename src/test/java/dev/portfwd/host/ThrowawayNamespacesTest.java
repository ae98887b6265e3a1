package dev.portfwd.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portfwd.testing.KernelAccess;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThrowawayNamespacesTest {

  private final ProcessCommandRunner host = new ProcessCommandRunner();

  @Test
  void closeKillsWhatRunsInsideAndDeletesTheNamespaces() throws Exception {
    KernelAccess.require();
    String name = "pf-throwaway-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
    ProcessHandle theirs;
    Process ours;
    try (ThrowawayNamespaces namespaces = new ThrowawayNamespaces(host, "test")) {
      namespaces.add(name);
      assertThat(namespaces(name)).as("created").contains(name);
      assertThat(
              host.run(List.of("ip", "netns", "exec", name, "ip", "-br", "link", "show", "lo"))
                  .stdout())
          .contains("UNKNOWN");
      ours = namespaces.spawn(name, List.of("sleep", "60"));
      // A process someone else started in the namespace, not a child of ours: the demo's web server
      // or a command under test.
      host.run(
          List.of(
              "sh",
              "-c",
              "ip netns exec " + name + " setsid -f sleep 60 </dev/null >/dev/null 2>&1"));
      theirs = awaitOtherProcess(name, ours.pid());
    }
    assertThat(ours.isAlive()).isFalse();
    assertThat(theirs.isAlive()).isFalse();
    assertThat(namespaces(name)).as("deleted").doesNotContain(name);
  }

  @Test
  void deletesTheNamespacesEvenFromAnInterruptedThreadAndKeepsTheInterrupt() throws Exception {
    KernelAccess.require();
    String name = "pf-throwaway-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
    ThrowawayNamespaces namespaces = new ThrowawayNamespaces(host, "test");
    namespaces.add(name);
    // What a JUnit @Timeout does to the test thread before try-with-resources closes the topology.
    Thread.currentThread().interrupt();
    namespaces.close();
    assertThat(Thread.interrupted()).as("the interrupt is passed on").isTrue();
    assertThat(namespaces(name)).as("deleted").doesNotContain(name);
  }

  @Test
  void nothingCanBeAddedOnceCleanUpBegan() {
    ThrowawayNamespaces namespaces = new ThrowawayNamespaces(host, "test");
    namespaces.close();
    assertThatThrownBy(() -> namespaces.add("pf-never"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("being deleted");
    assertThatThrownBy(() -> namespaces.spawn("pf-never", List.of("true")))
        .isInstanceOf(IOException.class);
  }

  private String namespaces(String name) throws IOException {
    return host.run(List.of("ip", "netns", "list")).stdout();
  }

  private ProcessHandle awaitOtherProcess(String name, long ours) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      for (String pid : host.run(List.of("ip", "netns", "pids", name)).stdout().split("\\s+")) {
        if (!pid.isBlank() && Long.parseLong(pid.strip()) != ours) {
          var handle = ProcessHandle.of(Long.parseLong(pid.strip()));
          if (handle.isPresent() && handle.get().parent().map(p -> p.pid() != ours).orElse(true)) {
            return handle.get();
          }
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the other process did not show up in " + name);
  }
}
