package dev.portfwd.demo;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The HA demo's client: reads the backend's stream through the pair's virtual public address for
 * {@code seconds}, checks every byte against its position, and writes to {@code reportFile} each
 * pause of 100 ms or more (wall-clock milliseconds of its start and end: the demo compares them
 * with the moment it killed a gateway), how many bytes arrived, how many were wrong, and whether
 * the connection failed. Run as its own process inside the client namespace.
 */
public final class StreamClient {

  private static final long PAUSE_MILLIS = 100;

  private StreamClient() {}

  /**
   * {@code ADDRESS PORT MAX-SECONDS REPORT-FILE STOP-FILE}: reads until {@code STOP-FILE} exists or
   * the time is up. Pauses are appended to the report as they end, so the demo can follow them.
   */
  public static void main(String[] args) throws IOException {
    long deadline = System.nanoTime() + Long.parseLong(args[2]) * 1_000_000_000L;
    Path report = Path.of(args[3]);
    Path stop = Path.of(args[4]);
    Files.writeString(report, "", StandardCharsets.UTF_8);
    List<String> lines = new ArrayList<>();
    long received = 0;
    long wrong = 0;
    String error = null;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 5000);
      // A failover is a pause of about a second; a connection silent for 15 s has died.
      socket.setSoTimeout(15_000);
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[65536];
      long last = System.currentTimeMillis();
      while (System.nanoTime() < deadline && !Files.exists(stop)) {
        int n = in.read(buffer);
        if (n < 0) {
          error = "the backend closed the connection";
          break;
        }
        long now = System.currentTimeMillis();
        if (now - last >= PAUSE_MILLIS) {
          Files.writeString(
              report,
              "pause " + last + " " + now + " " + received + "\n",
              StandardCharsets.UTF_8,
              StandardOpenOption.APPEND);
        }
        last = now;
        for (int i = 0; i < n; i++) {
          if (buffer[i] != (byte) ((received + i) % 251)) {
            wrong++;
          }
        }
        received += n;
      }
    } catch (IOException e) {
      error = e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    lines.add("received " + received);
    lines.add("wrong " + wrong);
    if (error != null) {
      lines.add("error " + error.replace('\n', ' '));
    }
    Files.write(report, lines, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }
}
