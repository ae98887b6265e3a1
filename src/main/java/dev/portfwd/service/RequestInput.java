package dev.portfwd.service;

import dev.portfwd.service.ControlFrames.Frame;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A request's standard input on the service's side: the {@code stdin} lines the client sends, as
 * bytes, ending at {@code stdinClosed}, when the connection ends, or when the client sends more
 * than it may. A command reads it like {@code System.in}.
 */
final class RequestInput extends InputStream {

  private static final byte[] END = new byte[0];

  private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
  private byte[] current = new byte[0];
  private int position;
  private boolean ended;

  /** Reads the client's frames until its input ends; runs on a thread of its own. */
  void pump(InputStream connection, long limit) {
    long received = 0;
    try {
      for (Optional<Frame> frame = ControlFrames.read(connection);
          frame.isPresent();
          frame = ControlFrames.read(connection)) {
        if (frame.get().flag("stdinClosed")) {
          break;
        }
        Optional<String> text = frame.get().string("stdin");
        if (text.isPresent()) {
          byte[] bytes = text.get().getBytes(StandardCharsets.UTF_8);
          received += bytes.length;
          if (received > limit) {
            break; // more than a table may be: the command sees its input end here
          }
          chunks.add(bytes);
        }
      }
    } catch (IOException e) {
      // A broken or closed connection ends the input, as a closed terminal does.
    } finally {
      chunks.add(END);
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    while (position == current.length) {
      if (ended) {
        return -1;
      }
      try {
        current = chunks.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while reading the client's input");
      }
      position = 0;
      if (current == END) {
        ended = true;
        return -1;
      }
    }
    int n = Math.min(length, current.length - position);
    System.arraycopy(current, position, buffer, offset, n);
    position += n;
    return n;
  }
}
