package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {

  private final Logger logger = Logger.getLogger("dev.portfwd.relay.RateLimitedLogTest");
  private final LogCapture capture = new LogCapture();
  private final List<LogRecord> records = capture.records();
  private final AtomicLong now = new AtomicLong();
  private final RateLimitedLog log = new RateLimitedLog(logger, Duration.ofSeconds(10), now::get);

  RateLimitedLogTest() {
    logger.setUseParentHandlers(false);
    logger.addHandler(capture);
    logger.setLevel(Level.ALL);
  }

  @AfterEach
  void detach() {
    logger.removeHandler(capture);
  }

  private List<String> lines() {
    return capture.messages();
  }

  private void advance(Duration by) {
    now.addAndGet(by.toNanos());
  }

  @Test
  void writesTheFirstLineAtOnceAndThenOneCountPerInterval() {
    for (int i = 0; i < 1000; i++) {
      log.log(Level.INFO, "refused line 1", "refused client " + i);
    }
    assertThat(lines()).containsExactly("refused client 0");
    advance(Duration.ofSeconds(5));
    log.flush();
    assertThat(lines()).as("the interval is not over").hasSize(1);
    advance(Duration.ofSeconds(5));
    log.flush();
    assertThat(lines())
        .containsExactly("refused client 0", "refused client 999 [999 like this in the last 10 s]");
    log.log(Level.INFO, "refused line 1", "refused client 1000");
    advance(Duration.ofSeconds(10));
    log.flush();
    assertThat(lines())
        .hasSize(3)
        .last()
        .isEqualTo("refused client 1000 [1 like this in the last 10 s]");
    // An event at the end of an interval whose count is still due joins that count's line.
    log.log(Level.INFO, "refused line 1", "refused client 1001");
    advance(Duration.ofSeconds(10));
    log.log(Level.INFO, "refused line 1", "refused client 1002");
    assertThat(lines())
        .hasSize(4)
        .last()
        .isEqualTo("refused client 1002 [2 like this in the last 10 s]");
  }

  @Test
  void keepsKindsApartAndForgetsQuietOnes() {
    log.log(Level.INFO, "a", "a1");
    log.log(Level.WARNING, "b", "b1");
    log.log(Level.INFO, "a", "a2");
    advance(Duration.ofSeconds(10));
    log.flush();
    assertThat(lines()).containsExactly("a1", "b1", "a2 [1 like this in the last 10 s]");
    advance(Duration.ofSeconds(10));
    log.flush();
    log.log(Level.WARNING, "b", "b2");
    assertThat(lines()).as("b stayed quiet for an interval: written at once").endsWith("b2");
  }

  @Test
  void writesWhatIsPendingAtShutdownAndATraceOnlyWithTheFirstLine() {
    IllegalStateException bug = new IllegalStateException("bug");
    log.log(Level.WARNING, "x", "first", bug);
    log.log(Level.WARNING, "x", "second", bug);
    log.flushAll();
    assertThat(lines()).containsExactly("first", "second [1 like this in the last 1 s]");
    assertThat(records.get(0).getThrown()).isSameAs(bug);
    assertThat(records.get(1).getThrown()).isNull();
  }
}
