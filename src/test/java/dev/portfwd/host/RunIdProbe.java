package dev.portfwd.host;

import java.util.List;

/**
 * The child JVM of {@link ProcessCommandRunnerTest}: runs {@code id -u} through the real runner,
 * directly and from a shell, and prints both answers, one a line.
 */
public final class RunIdProbe {

  private RunIdProbe() {}

  public static void main(String[] args) throws Exception {
    ProcessCommandRunner runner = new ProcessCommandRunner();
    System.out.println(runner.run(List.of("id", "-u")).stdout().strip());
    System.out.println(runner.run(List.of("sh", "-c", "id -u")).stdout().strip());
  }
}
