package dev.portfwd.doctor;

import dev.portfwd.model.ForwardTable;
import java.util.List;

/**
 * One question doctor asks: a pure function of the table and the host's facts. No check runs a
 * program; {@link HostInspector} gathered everything before.
 */
interface Check {

  /**
   * The findings for {@code table} on a host described by {@code facts}; empty when all is well.
   */
  List<Finding> check(ForwardTable table, HostFacts facts);
}
