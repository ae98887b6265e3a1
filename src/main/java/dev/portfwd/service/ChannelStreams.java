package dev.portfwd.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Streams over a blocking socket channel that may be read and written at the same time by two
 * threads. {@code Channels.newInputStream} and {@code newOutputStream} both hold the channel's
 * blocking lock for a whole call in Java 17, so a read waiting for the client's next line would
 * block every write of the command's output.
 */
final class ChannelStreams {

  private ChannelStreams() {}

  static InputStream in(SocketChannel channel) {
    return new InputStream() {
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
        return channel.read(ByteBuffer.wrap(buffer, offset, length));
      }
    };
  }

  static OutputStream out(SocketChannel channel) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] buffer, int offset, int length) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(buffer, offset, length);
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
      }
    };
  }
}
