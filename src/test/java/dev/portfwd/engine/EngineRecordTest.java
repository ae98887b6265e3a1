package dev.portfwd.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.nft.NftBackend;
import dev.portfwd.nft.NftCommandKernel;
import dev.portfwd.state.Snapshot;
import dev.portfwd.state.StateStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineRecordTest {

  @Test
  void theRecordIsReadWhenTheKernelCarriesADigest(@TempDir Path dir) throws IOException {
    Engine engine = engine(storeWithOneRecord(dir), new DigestHost(true));

    assertThat(engine.recorded())
        .isPresent()
        .get()
        .extracting(state -> state.forwards().size())
        .isEqualTo(1);
  }

  @Test
  void theRecordIsNotReadWhenTheKernelHasNoDigestToMatchIt(@TempDir Path dir) throws IOException {
    Engine engine = engine(storeWithOneRecord(dir), new DigestHost(false));

    assertThat(engine.recorded()).isEmpty();
  }

  @Test
  void aRecordOfAnotherBackendIsNotUsed(@TempDir Path dir) throws IOException {
    StateStore store = new StateStore(dir);
    store.push(
        new Snapshot(
            "/etc/portfwd/ports.txt",
            Instant.parse("2026-11-25T08:00:00Z"),
            "iptables",
            List.of("IPV4\t-\tTCP\t13102\t192.0.2.2\t80\t-\tyes\tNetbook Apache"),
            Set.of()));

    assertThat(engine(store, new DigestHost(true)).recorded()).isEmpty();
  }

  private static Engine engine(StateStore store, CommandRunner host) {
    return Engine.forHost(
        new NftBackend(new NftCommandKernel(host)), host, store, Engine.NO_TIMER, line -> {});
  }

  private static StateStore storeWithOneRecord(Path dir) throws IOException {
    StateStore store = new StateStore(dir);
    store.push(
        new Snapshot(
            "/etc/portfwd/ports.txt",
            Instant.parse("2026-11-25T08:00:00Z"),
            "nftables",
            List.of("IPV4\t-\tTCP\t13102\t192.0.2.2\t80\t-\tyes\tNetbook Apache"),
            Set.of()));
    return store;
  }

  /** A root host whose nft table carries a digest, or has no table. */
  private static final class DigestHost implements CommandRunner {
    private final boolean digest;

    DigestHost(boolean digest) {
      this.digest = digest;
    }

    @Override
    public CommandResult run(List<String> argv, String stdin) {
      if (argv.equals(List.of("id", "-u"))) {
        return new CommandResult(argv, 0, "0\n", "");
      }
      if (digest && argv.equals(List.of("nft", "list", "set", "inet", "portfwd", "ruleset_v5"))) {
        return new CommandResult(
            argv, 0, "elements = { 0 comment \"crc64 0123456789abcdef\" }\n", "");
      }
      return new CommandResult(argv, 1, "", "Error: No such file or directory");
    }

    @Override
    public boolean isInstalled(String program) {
      return true;
    }
  }
}
