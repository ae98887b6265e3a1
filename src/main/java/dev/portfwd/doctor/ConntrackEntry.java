package dev.portfwd.doctor;

import dev.portfwd.model.Protocol;
import java.net.InetAddress;

/**
 * One conntrack entry: the original direction (client to gateway) and the source of the reply
 * direction, which is where the kernel actually sends the flow (the backend after DNAT).
 *
 * @param replied false while conntrack marks the entry {@code [UNREPLIED]}: no packet came back
 */
public record ConntrackEntry(
    Protocol protocol,
    InetAddress originalSource,
    InetAddress originalDestination,
    int originalSourcePort,
    int originalDestinationPort,
    InetAddress replySource,
    int replySourcePort,
    boolean replied) {}
