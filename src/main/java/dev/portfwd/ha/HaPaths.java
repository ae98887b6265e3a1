package dev.portfwd.ha;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where one gateway's HA files live: the configuration folder ({@code keepalived.conf}, {@code
 * conntrackd.conf}, the notify hook) and the run folder (conntrackd's socket, lock and log, the
 * VRRP state the hook records). Per instance, so two gateways can run on one machine in network
 * namespaces without sharing a socket or lock.
 */
public record HaPaths(Path configDir, Path runDir) {

  public static final Path DEFAULT_CONFIG_DIR = Path.of("/etc/portfwd/ha");
  public static final Path DEFAULT_RUN_DIR = Path.of("/run/portfwd-ha");

  public HaPaths {
    Objects.requireNonNull(configDir, "configDir");
    Objects.requireNonNull(runDir, "runDir");
  }

  public Path keepalivedConf() {
    return configDir.resolve("keepalived.conf");
  }

  public Path conntrackdConf() {
    return configDir.resolve("conntrackd.conf");
  }

  public Path notifyScript() {
    return configDir.resolve("notify.sh");
  }

  public Path conntrackdSocket() {
    return runDir.resolve("conntrackd.ctl");
  }

  public Path conntrackdLock() {
    return runDir.resolve("conntrackd.lock");
  }

  public Path conntrackdLog() {
    return runDir.resolve("conntrackd.log");
  }

  /** The file the notify hook writes the gateway's VRRP state to ({@code MASTER}, ...). */
  public Path vrrpState() {
    return runDir.resolve("vrrp-state");
  }

  public Path keepalivedPid() {
    return runDir.resolve("keepalived.pid");
  }

  public Path vrrpPid() {
    return runDir.resolve("vrrp.pid");
  }
}
