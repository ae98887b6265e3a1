package dev.portfwd.ha;

/** The three files {@code portfwd ha config} writes for one gateway, as text. */
public record HaFiles(String keepalived, String conntrackd, String notifyScript) {}
