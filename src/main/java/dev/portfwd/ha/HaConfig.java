package dev.portfwd.ha;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The HA stage's entry: a valid {@link HaDescription} and one of its gateways to the files
 * keepalived and conntrackd run with. Pure text, no I/O; the CLI writes, prints and validates it.
 */
public final class HaConfig {

  // Paths go into keepalived's quoted strings, conntrackd's grammar and a shell script.
  private static final Pattern SAFE_PATH = Pattern.compile("/[A-Za-z0-9/._+-]*");

  private HaConfig() {}

  /**
   * The files of {@code gatewayName} in {@code pair}.
   *
   * @throws IllegalArgumentException when the pair has no such gateway, or a path holds characters
   *     other than letters, digits and {@code /._+-}
   */
  public static HaFiles generate(HaDescription pair, String gatewayName, HaPaths paths) {
    HaGateway self =
        pair.gateway(gatewayName)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "no gateway '"
                            + gatewayName
                            + "' in "
                            + pair.source()
                            + "; expected "
                            + pair.gateways().get(0).name()
                            + " or "
                            + pair.gateways().get(1).name()));
    for (Path path : new Path[] {paths.configDir(), paths.runDir()}) {
      if (!SAFE_PATH.matcher(path.toString()).matches()) {
        throw new IllegalArgumentException(
            "expected an absolute path of letters, digits and /._+- only, found '" + path + "'");
      }
    }
    String header =
        "# Written by 'portfwd ha config' for gateway "
            + self.name()
            + " of "
            + Path.of(pair.source()).getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_")
            + ": regenerate it instead of editing.\n";
    return new HaFiles(
        KeepalivedConf.render(pair, self, paths, header + "\n"),
        ConntrackdConf.render(pair, self, paths, header + "\n"),
        NotifyScript.render(paths, header + "# keepalived runs it on each VRRP state change.\n\n"));
  }
}
