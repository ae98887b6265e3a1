package dev.portfwd.table;

import dev.portfwd.model.Forward;

/** A forward with the text of its line and the column of its external column, for messages. */
record LocatedForward(Forward forward, String sourceLine, int externalColumn) {}
