package dev.portfwd.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A slowloris client, run in a namespace of its own by end-to-end tests: opens {@code COUNT}
 * connections to {@code HOST PORT}, sends each the start of a request and never its end, holds them
 * {@code SECONDS}, then prints how the server answered them: {@code opened N refused503 N closed N
 * open N} (still open at the end, or closed with no answer), and exits.
 */
public final class SlowClients {

  private SlowClients() {}

  /**
   * Starts the flood from {@code role}'s namespace, its output in {@code log}, and returns once it
   * holds its connections.
   */
  public static Process flood(
      Topology topology, String role, String host, int port, int count, int seconds, Path log)
      throws Exception {
    Process process =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                topology.namespace(role),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC",
                "-cp",
                Path.of(
                        SlowClients.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString(),
                SlowClients.class.getName(),
                host,
                Integer.toString(port),
                Integer.toString(count),
                Integer.toString(seconds))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    Conditions.await(
        "the flood holds its connections",
        Duration.ofSeconds(30),
        () -> Conditions.read(log).contains("flooding"));
    return process;
  }

  /** The flood's last line, once it ended: {@code opened N refused503 N closed N open N}. */
  public static int[] summary(Process flood, Path log) throws InterruptedException {
    if (!flood.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError("the flood did not end:\n" + Conditions.read(log));
    }
    String last = Conditions.read(log).lines().reduce("", (first, line) -> line);
    String[] words = last.split(" ");
    if (words.length != 8 || !words[0].equals("opened")) {
      throw new AssertionError("no summary from the flood:\n" + Conditions.read(log));
    }
    return new int[] {
      Integer.parseInt(words[1]),
      Integer.parseInt(words[3]),
      Integer.parseInt(words[5]),
      Integer.parseInt(words[7])
    };
  }

  public static void main(String[] args) throws Exception {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    int count = Math.min(Integer.parseInt(args[2]), 2000);
    long seconds = Math.min(Long.parseLong(args[3]), 120);
    List<Socket> sockets = new ArrayList<>();
    byte[] start = "GET /metrics HTTP/1.1\r\nHost: flood.test\r\nX-Slow: ".getBytes();
    try {
      for (int i = 0; i < count; i++) {
        Socket socket = new Socket();
        try {
          socket.connect(new InetSocketAddress(host, port), 2000);
          socket.getOutputStream().write(start);
          socket.getOutputStream().flush();
        } catch (IOException e) {
          // refused at once: counted below as closed
        }
        sockets.add(socket);
      }
      System.out.println("flooding");
      System.out.flush();
      Thread.sleep(seconds * 1000);
      int refused = 0;
      int closed = 0;
      int open = 0;
      for (Socket socket : sockets) {
        switch (answer(socket)) {
          case "503" -> refused++;
          case "open" -> open++;
          default -> closed++;
        }
      }
      System.out.println(
          "opened "
              + sockets.size()
              + " refused503 "
              + refused
              + " closed "
              + closed
              + " open "
              + open);
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }

  private static String answer(Socket socket) {
    if (!socket.isConnected()) {
      return "closed";
    }
    try {
      socket.setSoTimeout(50);
      InputStream in = socket.getInputStream();
      byte[] head = in.readNBytes(12);
      String text = new String(head, StandardCharsets.ISO_8859_1);
      return text.startsWith("HTTP/1.1 503") ? "503" : "closed";
    } catch (SocketTimeoutException e) {
      return "open";
    } catch (IOException e) {
      return "closed";
    }
  }
}
