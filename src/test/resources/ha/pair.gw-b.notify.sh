#!/bin/sh
# Written by 'portfwd ha config' for gateway gw-b of pair.ha: regenerate it instead of editing.
# keepalived runs it on each VRRP state change.

CONNTRACKD=/usr/sbin/conntrackd
CONFIG=/etc/portfwd/ha/conntrackd.conf
LOCK=/run/portfwd-ha/conntrackd.lock
STATE=/run/portfwd-ha/vrrp-state
RUN=/run/portfwd-ha
LIBERAL=/proc/sys/net/netfilter/nf_conntrack_tcp_be_liberal

step() {
    "$CONNTRACKD" -C "$CONFIG" "$@" || logger -t portfwd-ha "conntrackd $* failed" 2>/dev/null || true
}

start() {
    if ! "$CONNTRACKD" -C "$CONFIG" -s >/dev/null 2>&1; then
        rm -f "$LOCK"    # not running: a stale lock would stop it starting
        "$CONNTRACKD" -C "$CONFIG" -d
    fi
}

mkdir -p "$RUN"    # gone after a reboot: /run is a tmpfs

case "$1" in
  primary)
    echo MASTER > "$STATE"
    echo 1 > "$LIBERAL"
    start
    step -c    # commit the external cache into the kernel table
    step -f    # flush the internal and the external caches
    step -R    # resynchronize the internal cache with the kernel table
    step -B    # send a bulk update to the backup
    ;;
  backup)
    echo 1 > "$LIBERAL"
    echo BACKUP > "$STATE"
    start
    step -t    # shorten kernel conntrack timers to remove the zombie entries
    step -n    # request a resynchronization with the master
    ;;
  fault)
    echo FAULT > "$STATE"
    step -t
    ;;
  *)
    echo "usage: $0 primary|backup|fault" >&2
    exit 2
    ;;
esac
