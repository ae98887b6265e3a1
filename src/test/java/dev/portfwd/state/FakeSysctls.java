package dev.portfwd.state;

import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.host.ForwardingSysctls;
import dev.portfwd.host.ProcSys;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A runner holding sysctls in a map: it answers the {@code grep -H ^ FILE...} reads and {@code tee
 * FILE} writes that {@link ProcSys} sends through a runner, with files under {@code /proc/sys}.
 */
public final class FakeSysctls implements CommandRunner {

  public final Map<String, String> values =
      new TreeMap<>(Map.of(ForwardingSysctls.IPV4, "0", ForwardingSysctls.IPV6, "0"));

  @Override
  public CommandResult run(List<String> argv, String stdin) {
    if (argv.get(0).equals("grep")) {
      StringBuilder out = new StringBuilder();
      for (String file : argv.subList(argv.indexOf("^") + 1, argv.size())) {
        String value = values.get(key(file));
        if (value != null) {
          out.append(file).append(':').append(value).append('\n');
        }
      }
      return new CommandResult(argv, out.isEmpty() ? 2 : 0, out.toString(), "");
    }
    if (argv.size() == 2 && argv.get(0).equals("tee")) {
      values.put(key(argv.get(1)), stdin.strip());
      return new CommandResult(argv, 0, stdin, "");
    }
    throw new AssertionError("unexpected command " + argv);
  }

  /** {@code /proc/sys/net/ipv4/ip_forward} → {@code net.ipv4.ip_forward}. */
  private static String key(String file) {
    String prefix = ProcSys.ROOT + "/";
    if (!file.startsWith(prefix)) {
      throw new AssertionError("not under /proc/sys: " + file);
    }
    return file.substring(prefix.length())
        .replace('.', '\u0000')
        .replace('/', '.')
        .replace('\u0000', '/');
  }

  @Override
  public boolean isInstalled(String program) {
    return true;
  }
}
