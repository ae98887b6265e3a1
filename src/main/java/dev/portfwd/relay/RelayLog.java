package dev.portfwd.relay;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Sets up java.util.logging for the relay: one line per event on standard error ({@code TIMESTAMP
 * LEVEL message}), per-connection lines only when verbose, Netty's own chatter only from warnings
 * up. Stack traces are printed only for records that carry one (unexpected errors).
 */
public final class RelayLog {

  private RelayLog() {}

  /** Routes the relay's and Netty's loggers to {@code err}. */
  public static void configure(PrintStream err, boolean verbose) {
    Logger root = Logger.getLogger("");
    for (Handler handler : root.getHandlers()) {
      root.removeHandler(handler);
    }
    Handler handler =
        new StreamHandler(err, new OneLine()) {
          @Override
          public synchronized void publish(LogRecord record) {
            super.publish(record);
            flush();
          }
        };
    handler.setLevel(Level.ALL);
    root.addHandler(handler);
    root.setLevel(Level.INFO);
    Logger.getLogger(RelayLog.class.getPackageName()).setLevel(verbose ? Level.FINE : Level.INFO);
    Logger.getLogger("io.netty").setLevel(Level.WARNING);
  }

  private static final class OneLine extends Formatter {
    @Override
    public String format(LogRecord record) {
      StringBuilder line =
          new StringBuilder()
              .append(Instant.ofEpochMilli(record.getMillis()))
              .append(' ')
              .append(record.getLevel() == Level.FINE ? "DEBUG" : record.getLevel().getName())
              .append(' ')
              .append(formatMessage(record))
              .append(System.lineSeparator());
      if (record.getThrown() != null) {
        StringWriter trace = new StringWriter();
        record.getThrown().printStackTrace(new PrintWriter(trace));
        line.append(trace);
      }
      return line.toString();
    }
  }
}
