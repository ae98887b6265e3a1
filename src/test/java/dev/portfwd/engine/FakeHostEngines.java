package dev.portfwd.engine;

import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.host.Conntrack;
import dev.portfwd.host.ForwardingSysctls;
import dev.portfwd.state.FakeBackend;
import dev.portfwd.state.FakeSysctls;
import dev.portfwd.state.StateStore;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;

/**
 * Engines for unit tests, on a host of fakes: a {@link FakeBackend}, {@link FakeSysctls}, no
 * conntrack tool, and a rollback timer that is armed but never runs.
 */
public final class FakeHostEngines {

  /** A host without the conntrack tool; a command run on it fails the test. */
  public static final CommandRunner NO_CONNTRACK =
      new CommandRunner() {
        @Override
        public CommandResult run(List<String> argv, String stdin) {
          throw new AssertionError("unexpected command " + argv);
        }

        @Override
        public boolean isInstalled(String program) {
          return false;
        }
      };

  private FakeHostEngines() {}

  /**
   * An engine that changes {@code backend} and {@code sysctls}, records in {@code store} and tells
   * {@code warnings} of clean-up problems.
   */
  public static Engine engine(
      FakeBackend backend, FakeSysctls sysctls, StateStore store, Consumer<String> warnings) {
    return new Engine(
        backend,
        new ForwardingSysctls(sysctls),
        new Conntrack(NO_CONNTRACK),
        store,
        (s, id, forwards) -> {},
        Clock.systemUTC(),
        warnings);
  }
}
