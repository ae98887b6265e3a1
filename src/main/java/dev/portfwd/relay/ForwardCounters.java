package dev.portfwd.relay;

import dev.portfwd.model.Protocol;
import java.util.concurrent.atomic.LongAdder;

/**
 * Running totals of one forward and protocol, updated from the event loops without locks.
 *
 * <p>{@code refused} counts clients turned away by the relay itself ({@code from=}, or the UDP
 * session limit); {@code errors} counts connections that failed (backend refused or unreachable,
 * connect timeout, reset); {@code dropped} counts UDP datagrams let go because the queue towards
 * their backend or client was full, or dropped by the kernel at a full receive buffer of one of the
 * relay's sockets ({@link ReceiveDrops}). For UDP, "connections" are sessions (one per client
 * address).
 */
public final class ForwardCounters {

  private final String forward;
  private final String backend;
  private final Protocol protocol;
  private final LongAdder active = new LongAdder();
  private final LongAdder total = new LongAdder();
  private final LongAdder bytesToBackend = new LongAdder();
  private final LongAdder bytesToClient = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final LongAdder dropped = new LongAdder();

  ForwardCounters(String forward, String backend, Protocol protocol) {
    this.forward = forward;
    this.backend = backend;
    this.protocol = protocol;
  }

  void opened() {
    active.increment();
    total.increment();
  }

  void closed() {
    active.decrement();
  }

  void toBackend(long bytes) {
    bytesToBackend.add(bytes);
  }

  void toClient(long bytes) {
    bytesToClient.add(bytes);
  }

  void refused() {
    refused.increment();
  }

  void error() {
    errors.increment();
  }

  void dropped() {
    dropped.increment();
  }

  void dropped(long datagrams) {
    dropped.add(datagrams);
  }

  /** A consistent-enough copy for printing or export (each value is read once). */
  public Snapshot snapshot() {
    return new Snapshot(
        forward,
        backend,
        protocol,
        active.sum(),
        total.sum(),
        bytesToBackend.sum(),
        bytesToClient.sum(),
        refused.sum(),
        errors.sum(),
        dropped.sum());
  }

  /**
   * The values of one forward's counters at one moment.
   *
   * @param forward its external side without protocol ({@code 13102}, {@code 198.51.100.7:443})
   * @param backend its backend side ({@code 192.0.2.2:80})
   */
  public record Snapshot(
      String forward,
      String backend,
      Protocol protocol,
      long active,
      long total,
      long bytesToBackend,
      long bytesToClient,
      long refused,
      long errors,
      long dropped) {

    /**
     * {@code tcp 13102 active=1 total=7 bytes_in=... bytes_out=... refused=0 errors=0 dropped=0}.
     */
    public String line() {
      return protocol.keyword()
          + " "
          + forward
          + " active="
          + active
          + " total="
          + total
          + " bytes_in="
          + bytesToBackend
          + " bytes_out="
          + bytesToClient
          + " refused="
          + refused
          + " errors="
          + errors
          + " dropped="
          + dropped;
    }
  }
}
