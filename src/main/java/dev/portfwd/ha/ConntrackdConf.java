package dev.portfwd.ha;

import dev.portfwd.model.Addresses;

/**
 * {@code conntrackd.conf} for one gateway: FTFW (reliable) sync over UDP on the dedicated sync link
 * to the peer's sync address, as conntrackd's own {@code doc/sync/ftfw} example, with the socket,
 * lock and log in this gateway's run folder. TCP and UDP connections are synced; only the sync
 * link's own traffic and loopback are left out. The virtual addresses are not ignored, unlike in
 * that example: portfwd's forwarded connections are addressed to them. The external cache is off:
 * in an end-to-end run the new master reset the download because its hook had not committed the
 * cache yet when the backend's next segment came (bench/RESULTS.md).
 */
final class ConntrackdConf {

  private ConntrackdConf() {}

  static String render(HaDescription pair, HaGateway self, HaPaths paths, String header) {
    HaGateway peer = pair.peerOf(self);
    StringBuilder c = new StringBuilder(1024);
    c.append(header);
    c.append("Sync {\n");
    c.append("    Mode FTFW {\n");
    // Each copy goes into the backup's kernel table as it arrives: the first packet after a
    // failover then finds its entry even when it comes before the notify hook's commit.
    c.append("        DisableExternalCache on\n");
    c.append("    }\n");
    c.append("    UDP {\n");
    c.append("        IPv4_address ").append(Addresses.format(self.sync().address())).append('\n');
    c.append("        IPv4_Destination_Address ")
        .append(Addresses.format(peer.sync().address()))
        .append('\n');
    c.append("        Port ").append(pair.syncPort()).append('\n');
    c.append("        Interface ").append(self.sync().interfaceName()).append('\n');
    c.append("        SndSocketBuffer 1249280\n");
    c.append("        RcvSocketBuffer 1249280\n");
    c.append("        Checksum on\n");
    c.append("    }\n");
    c.append("}\n\n");
    c.append("General {\n");
    c.append("    HashSize 32768\n");
    c.append("    HashLimit 131072\n");
    c.append("    LogFile ").append(paths.conntrackdLog()).append('\n');
    c.append("    Syslog off\n");
    c.append("    LockFile ").append(paths.conntrackdLock()).append('\n');
    c.append("    UNIX {\n        Path ").append(paths.conntrackdSocket()).append("\n    }\n");
    c.append("    NetlinkBufferSize 2097152\n");
    c.append("    NetlinkBufferSizeMaxGrowth 8388608\n");
    c.append("    Filter From Userspace {\n");
    c.append("        Protocol Accept {\n            TCP\n            UDP\n        }\n");
    c.append("        Address Ignore {\n");
    c.append("            IPv4_address 127.0.0.1\n");
    c.append("            IPv4_address ")
        .append(Addresses.format(self.sync().address()))
        .append('\n');
    c.append("            IPv4_address ")
        .append(Addresses.format(peer.sync().address()))
        .append('\n');
    c.append("        }\n");
    c.append("    }\n");
    c.append("}\n");
    return c.toString();
  }
}
