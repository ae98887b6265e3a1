package dev.portfwd.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlServerTest {

  @TempDir Path dir;

  private final List<String> log = new ArrayList<>();
  private ControlServer server;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @AfterEach
  void stop() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  private Path socket() {
    return dir.resolve("run").resolve("portfwd.sock");
  }

  private Map<String, String> environment() {
    return Map.of(
        "PORTFWD_CONTROL",
        socket().toString(),
        "PORTFWD_STATE_DIR",
        dir.resolve("state").toString());
  }

  private OptionalInt client(String stdin, String... args) {
    return ControlClient.run(
        args,
        environment(),
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  /** Echoes the request, reads standard input whole, exits 3. */
  private final ControlServer.Handler echo =
      new ControlServer.Handler() {
        @Override
        public Optional<String> refusal(ControlServer.Request request) {
          return request.stateDir().equals(dir.resolve("state"))
              ? Optional.empty()
              : Optional.of("another state directory");
        }

        @Override
        public int run(
            ControlServer.Request request,
            InputStream stdin,
            PrintWriter stdout,
            PrintWriter stderr) {
          String input;
          try {
            input = new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            input = "failed: " + e;
          }
          stdout.println("argv " + request.argv() + " cwd " + request.cwd());
          stdout.flush();
          stderr.println("stdin " + input.length() + " chars: " + input.strip());
          return 3;
        }
      };

  @Test
  void theSocketIsForRootOnly() throws IOException {
    server = ControlServer.start(socket(), echo, log::add);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket())))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket().getParent())))
        .isEqualTo("rwxr-x---");
  }

  @Test
  void aServedCommandsOutputAndExitCodeAreTheServices() throws IOException {
    server = ControlServer.start(socket(), echo, log::add);
    OptionalInt exit = client("", "status", "--json");

    assertThat(exit).hasValue(3);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .startsWith("argv [status, --json] cwd " + Path.of("").toAbsolutePath());
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("stdin 0 chars: \n");
  }

  @Test
  void standardInputReachesACommandThatReadsIt() throws IOException {
    server = ControlServer.start(socket(), echo, log::add);
    String table = "13102 192.0.2.2 80 # ünïcode\n".repeat(2000);

    assertThat(client(table, "apply", "-")).hasValue(3);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("stdin " + table.length() + " chars");
  }

  @Test
  void commandsTheServiceDoesNotRunAndDirectRunHere() throws IOException {
    server = ControlServer.start(socket(), echo, log::add);
    assertThat(client("", "check", "t.txt")).isEmpty();
    assertThat(client("", "watch", "t.txt")).isEmpty();
    assertThat(client("", "status", "--direct")).isEmpty();
    assertThat(client("", "apply", "--help")).isEmpty();
    assertThat(out.size() + err.size()).isZero();
  }

  @Test
  void aServiceOfAnotherStateDirectoryLetsTheCommandRunHere() throws IOException {
    server = ControlServer.start(socket(), echo, log::add);
    assertThat(client("", "status", "--state-dir", dir.resolve("other").toString())).isEmpty();
    assertThat(out.size() + err.size()).isZero();
  }

  @Test
  void withoutAServiceTheCommandRunsHere() throws IOException {
    assertThat(client("", "status")).isEmpty();
    Files.createDirectories(socket().getParent());
    Files.writeString(socket(), "left by a killed service");
    assertThat(client("", "status")).isEmpty();
  }

  @Test
  void aStaleSocketFileIsReplacedButALiveServiceIsNot() throws IOException {
    Files.createDirectories(socket().getParent());
    Files.writeString(socket(), "stale");
    server = ControlServer.start(socket(), echo, log::add);
    try {
      ControlServer.start(socket(), echo, log::add);
      throw new AssertionError("a second service took the socket");
    } catch (IOException e) {
      assertThat(e).hasMessageContaining("already listens");
    }
  }

  @Test
  void garbageAHugeLineAndAStalledClientDoNotStopOthersBeingServed() throws Exception {
    server = ControlServer.start(socket(), echo, log::add);
    try (SocketChannel garbage = connect();
        SocketChannel huge = connect();
        SocketChannel stalled = connect()) {
      send(garbage, "this is not json\n");
      assertThat(answer(garbage)).contains("\"error\":\"malformed control line");

      byte[] chunk = new byte[1 << 16];
      java.util.Arrays.fill(chunk, (byte) 'x');
      long sent = 0;
      try {
        while (sent < 10L << 20) {
          huge.write(ByteBuffer.wrap(chunk));
          sent += chunk.length;
        }
      } catch (IOException e) {
        // The service stopped reading and closed it: what it should do.
      }
      assertThat(answer(huge)).contains("longer than");

      send(stalled, "{\"portfwd\":1,"); // and nothing more
      long start = System.nanoTime();
      assertThat(client("", "status")).hasValue(3);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));

      assertThat(answer(stalled)).as("dropped after the request timeout").isEmpty();
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isLessThan(ControlServer.REQUEST_TIMEOUT.plusSeconds(5));
    }
  }

  @Test
  void aRequestOfAnotherVersionOrWithAPathNoFileCanHaveIsAnsweredWithAnError() throws Exception {
    server = ControlServer.start(socket(), echo, log::add);
    try (SocketChannel future = connect();
        SocketChannel nul = connect();
        SocketChannel relative = connect()) {
      send(future, "{\"portfwd\":2,\"argv\":[\"status\"],\"cwd\":\"/\",\"stateDir\":\"/s\"}\n");
      assertThat(answer(future)).contains("\"error\":\"protocol version 2 is not served");
      // JSON may carry a NUL; a path may not.
      send(
          nul,
          "{\"portfwd\":1,\"argv\":[\"status\"],\"cwd\":\"/a\\u0000b\",\"stateDir\":\"/s\"}\n");
      assertThat(answer(nul)).contains("\"error\":\"cwd is not a path:");
      send(relative, "{\"portfwd\":1,\"argv\":[],\"cwd\":\"a\",\"stateDir\":\"/s\"}\n");
      assertThat(answer(relative)).contains("\"error\":\"cwd must be an absolute path");
    }
    assertThat(client("", "status")).hasValue(3);
  }

  @Test
  void aClientThatLeavesWhileItsCommandRunsLeavesTheCommandToFinishAndOthersServed()
      throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch gone = new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(1);
    ControlServer.Handler slow =
        new ControlServer.Handler() {
          @Override
          public Optional<String> refusal(ControlServer.Request request) {
            return Optional.empty();
          }

          @Override
          public int run(
              ControlServer.Request request,
              InputStream stdin,
              PrintWriter stdout,
              PrintWriter stderr) {
            if (request.argv().contains("slow")) {
              started.countDown();
              try {
                gone.await(20, TimeUnit.SECONDS);
                Thread.sleep(200);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              for (int i = 0; i < 1000; i++) {
                stdout.println("line " + i + " of a command whose client left");
              }
              stdout.flush();
              finished.countDown();
            }
            return 0;
          }
        };
    server = ControlServer.start(socket(), slow, log::add);
    try (SocketChannel leaving = connect()) {
      send(
          leaving,
          "{\"portfwd\":1,\"argv\":[\"slow\"],\"cwd\":\"/\",\"stateDir\":\""
              + dir.resolve("state")
              + "\"}\n");
      assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
    }
    gone.countDown();
    assertThat(finished.await(20, TimeUnit.SECONDS)).as("the command ran to its end").isTrue();
    assertThat(client("", "status")).hasValue(0);
  }

  @Test
  void requestsBeyondTheLimitAreToldTheServiceIsBusy() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(ControlServer.CONCURRENT);
    ControlServer.Handler blocking =
        new ControlServer.Handler() {
          @Override
          public Optional<String> refusal(ControlServer.Request request) {
            return Optional.empty();
          }

          @Override
          public int run(
              ControlServer.Request request,
              InputStream stdin,
              PrintWriter stdout,
              PrintWriter stderr) {
            running.countDown();
            try {
              release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return 0;
          }
        };
    server = ControlServer.start(socket(), blocking, log::add);
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < ControlServer.CONCURRENT; i++) {
      Thread thread = new Thread(() -> client("", "status"));
      thread.start();
      clients.add(thread);
    }
    try {
      assertThat(running.await(20, TimeUnit.SECONDS)).isTrue();
      assertThat(client("", "status")).hasValue(1);
      assertThat(err.toString(StandardCharsets.UTF_8)).contains("busy");
    } finally {
      release.countDown();
      for (Thread thread : clients) {
        thread.join(20_000);
      }
    }
  }

  private SocketChannel connect() throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    channel.connect(UnixDomainSocketAddress.of(socket()));
    return channel;
  }

  private static void send(SocketChannel channel, String text) throws IOException {
    channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** Everything the service sends until it closes the connection (bounded by its timeout). */
  private static String answer(SocketChannel channel) throws IOException {
    InputStream in = new BufferedInputStream(ChannelStreams.in(channel));
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    try {
      in.transferTo(text);
    } catch (IOException e) {
      // Reset by the service: what was read is the answer.
    }
    return text.toString(StandardCharsets.UTF_8);
  }
}
