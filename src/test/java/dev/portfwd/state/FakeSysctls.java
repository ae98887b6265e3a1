package dev.portfwd.state;

import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.host.ForwardingSysctls;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A runner that understands {@code sysctl -n KEY} and {@code sysctl -qw KEY=V} over a map. A key
 * not in the map is one the kernel lacks: reading or setting it fails as sysctl does ({@code
 * SysctlsContract} holds this fake to the real program).
 */
public final class FakeSysctls implements CommandRunner {

  public final Map<String, String> values =
      new TreeMap<>(Map.of(ForwardingSysctls.IPV4, "0", ForwardingSysctls.IPV6, "0"));

  @Override
  public CommandResult run(List<String> argv, String stdin) {
    if (argv.size() == 3 && argv.get(0).equals("sysctl") && argv.get(1).equals("-n")) {
      String value = values.get(argv.get(2));
      return value == null
          ? missing(argv, argv.get(2))
          : new CommandResult(argv, 0, value + "\n", "");
    }
    if (argv.size() == 3 && argv.get(0).equals("sysctl") && argv.get(1).equals("-qw")) {
      String[] kv = argv.get(2).split("=", 2);
      if (!values.containsKey(kv[0])) {
        return missing(argv, kv[0]);
      }
      values.put(kv[0], kv[1]);
      return new CommandResult(argv, 0, "", "");
    }
    throw new AssertionError("unexpected command " + argv);
  }

  private static CommandResult missing(List<String> argv, String key) {
    return new CommandResult(
        argv,
        255,
        "",
        "sysctl: cannot stat /proc/sys/" + key.replace('.', '/') + ": No such file or directory\n");
  }

  @Override
  public boolean isInstalled(String program) {
    return true;
  }
}
