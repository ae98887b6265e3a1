package dev.portfwd.ha;

/**
 * The notify hook keepalived runs on each state change of the sync group: the steps of conntrackd's
 * own {@code doc/sync/primary-backup.sh}, with this gateway's paths, plus one line that records the
 * state for {@code portfwd doctor}. On becoming master it commits the external cache (the peer's
 * connections) into the kernel, flushes both caches, resyncs the internal cache from the kernel and
 * sends a bulk update; on becoming backup it shortens the kernel's timers of stale entries and asks
 * the master for a resync. Either way it first makes the run directory and starts conntrackd if it
 * is not running: after a reboot keepalived's first notification brings both back.
 *
 * <p>Both switch on liberal TCP window tracking first: a copied entry does not carry the window the
 * kernel tracked on the other gateway, so the first segments after a failover could count as
 * invalid, stay untranslated and be reset by the new master.
 */
public final class NotifyScript {

  /** The sysctl the hook switches on, as a path under /proc/sys. */
  public static final String LIBERAL_TCP_SYSCTL =
      "/proc/sys/net/netfilter/nf_conntrack_tcp_be_liberal";

  private NotifyScript() {}

  static String render(HaPaths paths, String header) {
    return "#!/bin/sh\n"
        + header
        + "CONNTRACKD=/usr/sbin/conntrackd\n"
        + "CONFIG="
        + paths.conntrackdConf()
        + "\n"
        + "LOCK="
        + paths.conntrackdLock()
        + "\n"
        + "STATE="
        + paths.vrrpState()
        + "\n"
        + "RUN="
        + paths.runDir()
        + "\n"
        + "LIBERAL="
        + LIBERAL_TCP_SYSCTL
        + "\n"
        + "\n"
        + "step() {\n"
        + "    \"$CONNTRACKD\" -C \"$CONFIG\" \"$@\" || logger -t portfwd-ha \"conntrackd $* failed\""
        + " 2>/dev/null || true\n"
        + "}\n"
        + "\n"
        + "start() {\n"
        + "    if ! \"$CONNTRACKD\" -C \"$CONFIG\" -s >/dev/null 2>&1; then\n"
        + "        rm -f \"$LOCK\"    # not running: a stale lock would stop it starting\n"
        + "        \"$CONNTRACKD\" -C \"$CONFIG\" -d\n"
        + "    fi\n"
        + "}\n"
        + "\n"
        + "mkdir -p \"$RUN\"    # gone after a reboot: /run is a tmpfs\n"
        + "\n"
        + "case \"$1\" in\n"
        + "  primary)\n"
        + "    echo MASTER > \"$STATE\"\n"
        + "    echo 1 > \"$LIBERAL\"\n"
        + "    start\n"
        + "    step -c    # commit the external cache into the kernel table\n"
        + "    step -f    # flush the internal and the external caches\n"
        + "    step -R    # resynchronize the internal cache with the kernel table\n"
        + "    step -B    # send a bulk update to the backup\n"
        + "    ;;\n"
        + "  backup)\n"
        + "    echo 1 > \"$LIBERAL\"\n"
        + "    echo BACKUP > \"$STATE\"\n"
        + "    start\n"
        + "    step -t    # shorten kernel conntrack timers to remove the zombie entries\n"
        + "    step -n    # request a resynchronization with the master\n"
        + "    ;;\n"
        + "  fault)\n"
        + "    echo FAULT > \"$STATE\"\n"
        + "    step -t\n"
        + "    ;;\n"
        + "  *)\n"
        + "    echo \"usage: $0 primary|backup|fault\" >&2\n"
        + "    exit 2\n"
        + "    ;;\n"
        + "esac\n";
  }
}
