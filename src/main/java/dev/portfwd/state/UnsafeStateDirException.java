package dev.portfwd.state;

import java.io.IOException;

/**
 * The state directory could be changed by another user than the one running portfwd, so nothing in
 * it is used. The message is the one line to show: the directory, what is wrong and how to fix it.
 */
public final class UnsafeStateDirException extends IOException {

  public UnsafeStateDirException(String message) {
    super(message);
  }
}
