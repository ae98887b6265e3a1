package dev.portfwd.pool;

import dev.portfwd.model.IpFamily;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.resolver.HostsFileEntriesResolver;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Resolves names as the system does — {@code /etc/hosts} first, then the name servers of {@code
 * /etc/resolv.conf} — but through Netty's DNS client, which gives each record's time to live (the
 * JDK's resolver hides it). Nothing is cached here: the caller decides when to ask again.
 *
 * <p>Names from the hosts file get {@link #HOSTS_TTL}: the file has no TTL, and it rarely changes.
 */
public final class SystemNameResolver implements NameResolver, AutoCloseable {

  /** How long an address from the hosts file is trusted before it is read again. */
  static final Duration HOSTS_TTL = Duration.ofSeconds(60);

  private static final long QUERY_TIMEOUT_MILLIS = 2_000;

  private EventLoopGroup loop;
  private DnsNameResolver dns;

  /** The DNS client, made on first use: a service whose table has no names never starts it. */
  private synchronized DnsNameResolver dns() {
    if (dns != null) {
      return dns;
    }
    loop =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("portfwd-dns", true), NioIoHandler.newFactory());
    dns =
        new DnsNameResolverBuilder(loop.next())
            .datagramChannelType(NioDatagramChannel.class)
            .nameServerProvider(DnsServerAddressStreamProviders.platformDefault())
            .resolveCache(NoopDnsCache.INSTANCE)
            .queryTimeoutMillis(QUERY_TIMEOUT_MILLIS)
            .build();
    return dns;
  }

  @Override
  public Resolution resolve(String name, IpFamily family) {
    ResolvedAddressTypes types =
        family == IpFamily.IPV4
            ? ResolvedAddressTypes.IPV4_PREFERRED
            : ResolvedAddressTypes.IPV6_PREFERRED;
    InetAddress fromHosts = HostsFileEntriesResolver.DEFAULT.address(name, types);
    if (fromHosts != null) {
      return Resolution.of(List.of(fromHosts), HOSTS_TTL);
    }
    DnsRecordType first = family == IpFamily.IPV4 ? DnsRecordType.A : DnsRecordType.AAAA;
    DnsRecordType second = family == IpFamily.IPV4 ? DnsRecordType.AAAA : DnsRecordType.A;
    try {
      Resolution answer = query(name, first);
      if (answer.ok()) {
        return answer;
      }
      Resolution other = query(name, second);
      return other.ok() ? other : answer;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Resolution.failed("interrupted");
    }
  }

  private Resolution query(String name, DnsRecordType type) throws InterruptedException {
    List<DnsRecord> records;
    try {
      records =
          dns()
              .resolveAll(new DefaultDnsQuestion(name, type))
              .get(QUERY_TIMEOUT_MILLIS * 3, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      String why =
          cause instanceof UnknownHostException
              ? "no such name"
              : String.valueOf(cause.getMessage());
      return Resolution.failed(why);
    } catch (TimeoutException e) {
      return Resolution.failed("no answer from the name servers");
    }
    List<InetAddress> addresses = new ArrayList<>();
    long ttl = Long.MAX_VALUE;
    try {
      for (DnsRecord record : records) {
        if (record.type() != type || !(record instanceof DnsRawRecord raw)) {
          continue;
        }
        byte[] bytes = new byte[raw.content().readableBytes()];
        raw.content().getBytes(raw.content().readerIndex(), bytes);
        if (bytes.length != 4 && bytes.length != 16) {
          continue;
        }
        try {
          addresses.add(InetAddress.getByAddress(bytes));
          ttl = Math.min(ttl, record.timeToLive());
        } catch (UnknownHostException e) {
          // A record of the wrong length: skipped above; nothing else makes getByAddress fail.
        }
      }
    } finally {
      records.forEach(ReferenceCountUtil::release);
    }
    if (addresses.isEmpty()) {
      return Resolution.failed("no " + type.name() + " record");
    }
    return Resolution.of(addresses, Duration.ofSeconds(ttl));
  }

  @Override
  public synchronized void close() {
    if (dns != null) {
      dns.close();
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
