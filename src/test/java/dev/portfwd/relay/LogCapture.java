package dev.portfwd.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/** A log handler that keeps every record it is given, for tests that check what was logged. */
final class LogCapture extends Handler {

  private final List<LogRecord> records = new ArrayList<>();

  @Override
  public void publish(LogRecord record) {
    records.add(record);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}

  List<LogRecord> records() {
    return records;
  }

  List<String> messages() {
    return records.stream().map(LogRecord::getMessage).toList();
  }
}
