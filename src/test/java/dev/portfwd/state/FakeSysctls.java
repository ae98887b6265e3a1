package dev.portfwd.state;

import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.host.ForwardingSysctls;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A runner that understands {@code sysctl -n KEY} and {@code sysctl -qw KEY=V} over a map. */
public final class FakeSysctls implements CommandRunner {

  public final Map<String, String> values =
      new TreeMap<>(Map.of(ForwardingSysctls.IPV4, "0", ForwardingSysctls.IPV6, "0"));

  @Override
  public CommandResult run(List<String> argv, String stdin) {
    if (argv.size() == 3 && argv.get(0).equals("sysctl") && argv.get(1).equals("-n")) {
      String value = values.get(argv.get(2));
      return new CommandResult(
          argv, value == null ? 255 : 0, value == null ? "" : value + "\n", "");
    }
    if (argv.size() == 3 && argv.get(0).equals("sysctl") && argv.get(1).equals("-qw")) {
      String[] kv = argv.get(2).split("=", 2);
      values.put(kv[0], kv[1]);
      return new CommandResult(argv, 0, "", "");
    }
    throw new AssertionError("unexpected command " + argv);
  }

  @Override
  public boolean isInstalled(String program) {
    return true;
  }
}
