package dev.portfwd.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.epoll.PortfwdEpollGuard;
import java.net.InetSocketAddress;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sets up each accepted TCP connection with the route its listener has at that moment: turns away
 * sources {@code from=} does not allow and connections over the relay's limits (closed at once,
 * before any backend is contacted; counted as refused, logged at a bounded rate), then adds the
 * frontend handler (which the idle timeout watches), and keeps the counters.
 */
final class TcpAcceptInitializer extends ChannelInitializer<Channel> {

  private static final Logger LOG = Logger.getLogger(TcpAcceptInitializer.class.getPackageName());

  private final Listener listener;
  // Made once: Netty's reflective factory looks the constructor up when it is made.
  private final ChannelFactory<? extends Channel> backendChannels;
  private final RelayOptions options;
  private final ConnectionLimits limits;
  private final LoopChooser loopChooser;
  private final IdleSweeper.PerLoop idleSweepers;
  private final RateLimitedLog rateLimitedLog;

  TcpAcceptInitializer(
      Listener listener,
      Transport transport,
      RelayOptions options,
      ConnectionLimits limits,
      LoopChooser loopChooser,
      IdleSweeper.PerLoop idleSweepers,
      RateLimitedLog rateLimitedLog) {
    this.listener = listener;
    this.backendChannels =
        PortfwdEpollGuard.guarding(new ReflectiveChannelFactory<>(transport.socketChannel()));
    this.options = options;
    this.limits = limits;
    this.loopChooser = loopChooser;
    this.idleSweepers = idleSweepers;
    this.rateLimitedLog = rateLimitedLog;
  }

  @Override
  protected void initChannel(Channel client) {
    Route route = listener.route();
    InetSocketAddress source = DualStackAddresses.unmap(client.remoteAddress());
    if (!route.allows(source.getAddress())) {
      refuse(client, route, source, "from", "not allowed by from=");
      return;
    }
    ConnectionLimits.Refusal overLimit = limits.tryOpen(source.getAddress());
    if (overLimit != null) {
      refuse(client, route, source, overLimit.limit(), overLimit.reason());
      return;
    }
    ForwardCounters counters = route.counters();
    counters.opened();
    if (options.verbose()) {
      LOG.fine("open " + DualStackAddresses.format(source) + " on " + route.describe());
    }
    client
        .closeFuture()
        .addListener(
            closed -> {
              loopChooser.closed(client.eventLoop());
              limits.closed(source.getAddress());
              counters.closed();
              if (options.verbose()) {
                LOG.fine("close " + DualStackAddresses.format(source) + " on " + route.describe());
              }
            });
    client
        .pipeline()
        .addLast(
            "relay",
            new TcpFrontendHandler(
                route,
                backendChannels,
                options,
                idleSweepers == null ? null : idleSweepers.of(client.eventLoop()),
                rateLimitedLog));
  }

  private void refuse(
      Channel client, Route route, InetSocketAddress source, String kind, String reason) {
    route.counters().refused();
    rateLimitedLog.log(
        Level.INFO,
        "refused " + kind + " " + route.describe(),
        "refused " + DualStackAddresses.format(source) + " on " + route.describe() + ": " + reason);
    client.close();
    loopChooser.closed(client.eventLoop());
  }
}
