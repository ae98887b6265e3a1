package dev.portfwd.doctor;

import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link CommandRunner} that answers from a script of canned outputs keyed by the joined argv,
 * and records every argv it was asked to run. A command the test did not script fails the test (an
 * {@link AssertionError}, which no inspection code catches): a silent exit 1 would let a test pass
 * on a command line nobody checked. {@link #fail} makes a command throw an IOException instead.
 */
final class FakeRunner implements CommandRunner {

  private final Map<String, CommandResult> answers = new HashMap<>();
  private final Map<String, IOException> failures = new HashMap<>();
  private final Set<String> installed;
  final List<List<String>> ran = Collections.synchronizedList(new ArrayList<>());

  FakeRunner(Set<String> installed) {
    this.installed = installed;
  }

  FakeRunner answer(String argv, int exit, String stdout, String stderr) {
    answers.put(argv, new CommandResult(List.of(argv.split(" ")), exit, stdout, stderr));
    return this;
  }

  FakeRunner answer(String argv, String stdout) {
    return answer(argv, 0, stdout, "");
  }

  /** Makes {@code argv} throw {@code failure}, as a program that hung and was stopped. */
  FakeRunner fail(String argv, IOException failure) {
    failures.put(argv, failure);
    return this;
  }

  @Override
  public CommandResult run(List<String> argv, String stdin) throws IOException {
    ran.add(List.copyOf(argv));
    IOException failure = failures.get(String.join(" ", argv));
    if (failure != null) {
      throw failure;
    }
    CommandResult answer = answers.get(String.join(" ", argv));
    if (answer == null) {
      throw new AssertionError("not scripted: " + String.join(" ", argv));
    }
    return answer;
  }

  @Override
  public boolean isInstalled(String program) {
    return installed.contains(program);
  }
}
