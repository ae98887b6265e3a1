package dev.portfwd.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Rules every end-to-end test ({@code *IT}) keeps: a hang must fail with the test's name, not use
 * up CI's time, so each test has a {@link Timeout} (its own or its class's).
 */
class EndToEndTestsTest {

  @Test
  void everyEndToEndTestHasATimeout() throws Exception {
    List<Class<?>> classes = endToEndClasses();
    assertThat(classes).as("*IT classes found in the test classes").hasSizeGreaterThan(10);
    List<String> missing = new ArrayList<>();
    for (Class<?> type : classes) {
      for (Method method : type.getDeclaredMethods()) {
        boolean test =
            method.isAnnotationPresent(Test.class)
                || method.isAnnotationPresent(ParameterizedTest.class);
        if (test
            && !method.isAnnotationPresent(Timeout.class)
            && !type.isAnnotationPresent(Timeout.class)) {
          missing.add(type.getSimpleName() + "." + method.getName());
        }
      }
    }
    assertThat(missing).as("end-to-end tests without a @Timeout").isEmpty();
  }

  private static List<Class<?>> endToEndClasses()
      throws IOException, URISyntaxException, ClassNotFoundException {
    Path root =
        Path.of(
            EndToEndTestsTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Class<?>> classes = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(f -> f.toString().endsWith("IT.class")).toList()) {
        String name = root.relativize(file).toString().replace('/', '.');
        classes.add(Class.forName(name.substring(0, name.length() - ".class".length())));
      }
    }
    return classes;
  }
}
