package dev.portfwd;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.RandomAccessFile;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The package arrows of ARCHITECTURE.md as a test: a wrong import fails {@code mvn verify}. Each
 * package lists the packages of portfwd it may import; everything else of portfwd is forbidden to
 * it. Libraries are not restricted here, except for the model, which imports only the JDK.
 */
class LayeringTest {

  /** Package → the other portfwd packages it may import. Keep in step with ARCHITECTURE.md. */
  static final Map<String, Set<String>> MAY_IMPORT = new LinkedHashMap<>();

  static {
    MAY_IMPORT.put("model", Set.of());
    MAY_IMPORT.put("table", Set.of("model"));
    MAY_IMPORT.put("compile", Set.of("model"));
    MAY_IMPORT.put("backend", Set.of("compile", "model"));
    MAY_IMPORT.put("host", Set.of("backend", "compile", "model"));
    MAY_IMPORT.put("nft", Set.of("backend", "compile", "host", "model"));
    MAY_IMPORT.put("iptables", Set.of("backend", "compile", "host", "model"));
    MAY_IMPORT.put("state", Set.of("backend", "compile", "host", "model"));
    MAY_IMPORT.put("watch", Set.of("backend", "compile", "host", "model", "table"));
    MAY_IMPORT.put("service", Set.of("state"));
    MAY_IMPORT.put("engine", Set.of("backend", "compile", "host", "model", "state", "watch"));
    MAY_IMPORT.put("metrics", Set.of("backend", "compile", "engine", "model", "relay"));
    MAY_IMPORT.put("pool", Set.of("model"));
    MAY_IMPORT.put("web", Set.of());
    MAY_IMPORT.put(
        "doctor", Set.of("backend", "compile", "ha", "host", "model", "nft", "iptables"));
    MAY_IMPORT.put("relay", Set.of("model", "pool", "table", "host", "watch"));
    MAY_IMPORT.put("ha", Set.of("host", "model", "table"));
    MAY_IMPORT.put(
        "demo",
        Set.of("backend", "compile", "engine", "ha", "host", "model", "nft", "state", "table"));
    MAY_IMPORT.put(
        "cli",
        Set.of(
            "backend",
            "compile",
            "demo",
            "doctor",
            "engine",
            "ha",
            "host",
            "iptables",
            "metrics",
            "model",
            "nft",
            "pool",
            "relay",
            "service",
            "state",
            "table",
            "watch",
            "web"));
    MAY_IMPORT.put(
        "training",
        Set.of(
            "backend", "cli", "compile", "engine", "host", "model", "nft", "service", "state",
            "table"));
  }

  private static JavaClasses portfwd;

  @BeforeAll
  static void importClasses() {
    portfwd =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.portfwd");
  }

  @TestFactory
  List<DynamicTest> eachPackageImportsOnlyWhatItMay() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Map.Entry<String, Set<String>> entry : MAY_IMPORT.entrySet()) {
      Set<String> forbidden = new TreeSet<>(MAY_IMPORT.keySet());
      forbidden.remove(entry.getKey());
      forbidden.removeAll(entry.getValue());
      String[] packages =
          forbidden.stream().map(p -> "dev.portfwd." + p + "..").toArray(String[]::new);
      ArchRule rule =
          noClasses()
              .that()
              .resideInAPackage("dev.portfwd." + entry.getKey() + "..")
              .should()
              .dependOnClassesThat()
              .resideInAnyPackage(packages)
              .because(
                  "ARCHITECTURE.md: " + entry.getKey() + " may import only " + entry.getValue());
      tests.add(DynamicTest.dynamicTest(entry.getKey(), () -> rule.check(portfwd)));
    }
    return tests;
  }

  @Test
  void everyPackageIsMapped() {
    ArchRule rule =
        classes()
            .should()
            .resideInAnyPackage(
                MAY_IMPORT.keySet().stream()
                    .map(p -> "dev.portfwd." + p + "..")
                    .toArray(String[]::new))
            .because("a new package needs its arrows in ARCHITECTURE.md and in MAY_IMPORT");
    rule.check(portfwd);
  }

  @Test
  void theModelImportsOnlyTheJdk() {
    classes()
        .that()
        .resideInAPackage("dev.portfwd.model..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "dev.portfwd.model..")
        .check(portfwd);
  }

  @Test
  void compilingTouchesNoFilesProcessesOrSockets() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.portfwd.compile..", "dev.portfwd.model..")
        .should()
        .dependOnClassesThat(
            resideInAnyPackage("java.nio.file..", "java.nio.channels..", "java.net.http..")
                .or(
                    belongToAnyOf(
                        ProcessBuilder.class,
                        File.class,
                        FileInputStream.class,
                        FileOutputStream.class,
                        RandomAccessFile.class,
                        Socket.class,
                        ServerSocket.class,
                        DatagramSocket.class,
                        URL.class)))
        .because(
            "ARCHITECTURE.md: the model and the compiler do no I/O (InetAddress is used for literals only)")
        .check(portfwd);
  }

  @Test
  void packagesHaveNoCycles() {
    slices().matching("dev.portfwd.(*)..").should().beFreeOfCycles().check(portfwd);
  }
}
