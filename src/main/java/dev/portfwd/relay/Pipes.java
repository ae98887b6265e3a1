package dev.portfwd.relay;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What both directions of a TCP relay do the same way: closing and passing on half-closes. */
final class Pipes {

  private Pipes() {}

  /**
   * Closes {@code channel} after everything already written to it has been sent. A channel that
   * never registered with an event loop (its socket could not be made: Netty's stand-in for it) has
   * nothing to send or close, and closing it would throw.
   */
  static void closeOnFlush(Channel channel) {
    if (channel == null || !channel.isRegistered()) {
      return;
    }
    if (channel.isActive()) {
      channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    } else {
      channel.close();
    }
  }

  /**
   * Closes {@code channel} with a reset (SO_LINGER 0), dropping what is still queued for it: its
   * peer sees the abort the other side's peer made, as it would through the kernel's forwarding.
   */
  static void abort(Channel channel) {
    if (channel == null || !channel.isRegistered()) {
      return;
    }
    if (channel.isActive()) {
      try {
        channel.config().setOption(ChannelOption.SO_LINGER, 0);
      } catch (ChannelException e) {
        // The socket is going away anyway; an ordinary close will do.
      }
    }
    channel.close();
  }

  /** Whether {@code cause} is the peer's reset of the connection. */
  static boolean isReset(Throwable cause) {
    if (cause instanceof Errors.NativeIoException nativeError) {
      return nativeError.expectedErr() == Errors.ERRNO_ECONNRESET_NEGATIVE;
    }
    // NIO: the JDK's "Connection reset", or "Connection reset by peer" from the native read.
    return cause instanceof IOException
        && cause.getMessage() != null
        && cause.getMessage().startsWith("Connection reset");
  }

  /**
   * Asks for the next chunk from {@code channel}, unless its peer has finished sending: epoll drops
   * a half-closed socket from its interest set once nothing is left to wait for, and a read request
   * then fails with ENOENT instead of doing nothing.
   */
  static void readMore(Channel channel) {
    if (channel.isActive()
        && !(channel instanceof DuplexChannel duplex && duplex.isInputShutdown())) {
      channel.read();
    }
  }

  /**
   * Writes {@code msg}, read from {@code from}, to {@code to}, and reads the next chunk from {@code
   * from} only once it is written: the backpressure that keeps a fast sender from filling memory. A
   * failed write closes {@code to}.
   */
  static void relay(Object msg, Channel from, Channel to) {
    to.writeAndFlush(msg)
        .addListener(
            (ChannelFutureListener)
                future -> {
                  if (future.isSuccess()) {
                    readMore(from);
                  } else {
                    future.channel().close();
                  }
                });
  }

  /**
   * {@code from}'s peer sent FIN: once everything read from {@code from} has been written to {@code
   * to}, shut down {@code to}'s output so its peer sees the same FIN. When both peers have finished
   * sending, both channels close.
   */
  static void passEndOfInput(Channel from, Channel to) {
    if (!(to instanceof DuplexChannel duplexTo) || !to.isActive()) {
      closeOnFlush(to);
      closeOnFlush(from);
      return;
    }
    to.writeAndFlush(Unpooled.EMPTY_BUFFER)
        .addListener(
            (ChannelFutureListener)
                flushed -> {
                  if (!flushed.isSuccess()) {
                    from.close();
                    to.close();
                    return;
                  }
                  duplexTo
                      .shutdownOutput()
                      .addListener(
                          shut -> {
                            if (!shut.isSuccess() || bothInputsEnded(from, to)) {
                              closeOnFlush(from);
                              to.close();
                            }
                          });
                });
  }

  private static boolean bothInputsEnded(Channel a, Channel b) {
    return a instanceof DuplexChannel da
        && da.isInputShutdown()
        && b instanceof DuplexChannel db
        && db.isInputShutdown();
  }

  /**
   * A one-line reason for a network error that happens in normal operation (reset, refused,
   * timeout), or null when {@code cause} is unexpected and deserves a stack trace.
   */
  static String expected(Throwable cause) {
    Throwable described = describedBy(cause);
    if (described == null) {
      return null;
    }
    return described instanceof ConnectTimeoutException
        ? "connect timed out"
        : shortMessage(described);
  }

  /** Whether {@code cause} happens in normal operation: {@link #expected} without the message. */
  static boolean isExpected(Throwable cause) {
    return describedBy(cause) != null;
  }

  /** The error whose message says what went wrong, or null when {@code cause} is unexpected. */
  private static Throwable describedBy(Throwable cause) {
    if (cause instanceof ChannelException) {
      // A socket that could not be made (file descriptors exhausted): Netty wraps the error of
      // socket() in the channel factory's ChannelException, and that in the constructor's.
      for (Throwable inner = cause.getCause(); inner != null; inner = inner.getCause()) {
        if (inner instanceof IOException) {
          return inner;
        }
      }
      return null;
    }
    // ConnectException, NoRouteToHostException and ConnectTimeoutException among them.
    return cause instanceof IOException ? cause : null;
  }

  // Netty's prefixes: "connect(..) failed: ", "accept(..) failed with error(-24): ".
  private static final Pattern FAILED = Pattern.compile("failed(?: with error\\(-?\\d+\\))?: ");

  /** The message without Netty's {@code "connect(..) failed: "} prefix and the address suffix. */
  static String shortMessage(Throwable cause) {
    String message =
        cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    Matcher failed = FAILED.matcher(message);
    if (failed.find()) {
      message = message.substring(failed.end());
    }
    int colon = message.indexOf(": /");
    if (colon >= 0) {
      message = message.substring(0, colon);
    }
    return message.isEmpty() ? cause.getClass().getSimpleName() : message.toLowerCase(Locale.ROOT);
  }
}
