package dev.portfwd.service;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;

/**
 * A command's standard output or error on the service's side: text is sent to the client as {@code
 * out} or {@code err} lines each time the command flushes (as it does after every line that
 * matters), so a prompt reaches the client before the command waits for an answer. A client that
 * went away makes writes fail silently, as a closed terminal does: the command runs on.
 */
final class FrameWriter extends Writer {

  private final OutputStream connection;
  private final String field;
  private final StringBuilder pending = new StringBuilder();
  private boolean broken;

  FrameWriter(OutputStream connection, String field) {
    this.connection = connection;
    this.field = field;
  }

  @Override
  public synchronized void write(char[] text, int offset, int length) {
    // Escaped as JSON a character takes up to 6 bytes: frames of this many stay under MAX_LINE.
    int frame = ControlFrames.MAX_LINE / 8;
    while (length > 0) {
      int n = Math.min(length, frame - pending.length());
      pending.append(text, offset, n);
      offset += n;
      length -= n;
      if (pending.length() >= frame) {
        flush();
      }
    }
  }

  @Override
  public synchronized void flush() {
    if (pending.length() == 0 || broken) {
      pending.setLength(0);
      return;
    }
    try {
      ControlFrames.write(connection, ControlFrames.line(field, pending.toString()));
    } catch (IOException e) {
      broken = true;
    }
    pending.setLength(0);
  }

  @Override
  public void close() {
    flush();
  }
}
