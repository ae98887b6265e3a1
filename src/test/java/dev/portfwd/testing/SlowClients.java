package dev.portfwd.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A slowloris client, run in a namespace of its own by end-to-end tests: opens {@code COUNT}
 * connections to {@code HOST PORT}, sends each the start of a request and never its end, holds them
 * {@code SECONDS}, then prints how the server answered them: {@code opened N refused503 N closed N
 * open N} (still open at the end, or closed with no answer), and exits.
 */
public final class SlowClients {

  private SlowClients() {}

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
