package dev.portfwd.doctor;

import dev.portfwd.model.IpFamily;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.Optional;

/**
 * The first packet of a forwarded connection as a firewall chain sees it, for deciding which rules
 * match. Empty fields are unknown to doctor (rules testing them match {@link Tri#MAYBE}).
 *
 * @param destination the destination address at this hook (the backend after DNAT)
 * @param port the destination port at this hook
 * @param dnat whether conntrack marks the connection as DNATed ({@code ct status dnat})
 * @param outInterface the interface the packet leaves through, when routing decided it
 */
record Packet(
    IpFamily family,
    Protocol protocol,
    Optional<InetAddress> destination,
    int port,
    boolean dnat,
    Optional<String> outInterface) {}
