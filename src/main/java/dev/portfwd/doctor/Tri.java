package dev.portfwd.doctor;

/**
 * Whether a firewall rule matches a packet: {@link #MAYBE} when the rule tests something doctor
 * cannot know from the gateway (the input interface, a module it does not understand). Checks
 * report only what {@link #YES} proves, and soften what {@link #MAYBE} leaves open.
 */
enum Tri {
  YES,
  NO,
  MAYBE;

  static Tri of(boolean value) {
    return value ? YES : NO;
  }

  Tri and(Tri other) {
    if (this == NO || other == NO) {
      return NO;
    }
    return this == YES && other == YES ? YES : MAYBE;
  }

  Tri not() {
    return switch (this) {
      case YES -> NO;
      case NO -> YES;
      case MAYBE -> MAYBE;
    };
  }
}
