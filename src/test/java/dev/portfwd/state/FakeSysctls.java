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
 * FILE} writes that {@link ProcSys} sends through a runner, with files under {@code /proc/sys}. A
 * key not in the map is one the kernel lacks: reading or setting it fails as grep and tee do on a
 * missing file ({@code SysctlsContract} holds this fake to the real kernel).
 */
public final class FakeSysctls implements CommandRunner {

  public final Map<String, String> values =
      new TreeMap<>(Map.of(ForwardingSysctls.IPV4, "0", ForwardingSysctls.IPV6, "0"));

  @Override
  public CommandResult run(List<String> argv, String stdin) {
    if (argv.get(0).equals("grep")) {
      StringBuilder out = new StringBuilder();
      StringBuilder err = new StringBuilder();
      boolean quiet = argv.get(1).contains("s");
      for (String file : argv.subList(argv.indexOf("^") + 1, argv.size())) {
        String value = values.get(key(file));
        if (value != null) {
          out.append(file).append(':').append(value).append('\n');
        } else if (!quiet) {
          err.append("grep: ").append(file).append(": No such file or directory\n");
        }
      }
      return new CommandResult(
          argv, err.isEmpty() ? (out.isEmpty() ? 1 : 0) : 2, out.toString(), err.toString());
    }
    if (argv.size() == 2 && argv.get(0).equals("tee")) {
      if (!values.containsKey(key(argv.get(1)))) {
        return new CommandResult(
            argv, 1, "", "tee: " + argv.get(1) + ": No such file or directory\n");
      }
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
