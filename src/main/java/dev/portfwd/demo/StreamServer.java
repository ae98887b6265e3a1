package dev.portfwd.demo;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The HA demo's backend: sends one client a paced stream of bytes ({@code i mod 251} for the i-th
 * byte, so the client can tell a lost or repeated byte) until the client closes or {@code
 * maxSeconds} pass, then writes how many bytes it sent to {@code reportFile}. Run as its own
 * process inside the backend namespace.
 */
public final class StreamServer {

  /** Bytes per write; one write per {@link #PACE_MILLIS}: about 1 MB/s. */
  static final int CHUNK = 2008;

  static final int PACE_MILLIS = 2;

  private StreamServer() {}

  /** {@code PORT MAX-SECONDS REPORT-FILE}. */
  public static void main(String[] args) throws IOException, InterruptedException {
    int port = Integer.parseInt(args[0]);
    long deadline = System.nanoTime() + Long.parseLong(args[1]) * 1_000_000_000L;
    Path report = Path.of(args[2]);
    long sent = 0;
    try (ServerSocket listener = new ServerSocket()) {
      listener.setReuseAddress(true);
      listener.bind(new InetSocketAddress(port));
      try (Socket client = listener.accept();
          OutputStream out = client.getOutputStream()) {
        byte[] chunk = new byte[CHUNK];
        while (System.nanoTime() < deadline) {
          for (int i = 0; i < CHUNK; i++) {
            chunk[i] = (byte) ((sent + i) % 251);
          }
          out.write(chunk);
          sent += CHUNK;
          Thread.sleep(PACE_MILLIS);
        }
      } catch (IOException closed) {
        // The client closed: the stream ends here.
      }
    } finally {
      Files.writeString(report, "sent " + sent + "\n", StandardCharsets.UTF_8);
    }
  }
}
