package dev.portfwd.ha;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a gateway's {@link HaFiles} to its configuration folder: each file under a new name, then
 * renamed into place, so keepalived never reads half a file; the hook executable, keepalived's file
 * (it holds the VRRP secret) readable by its owner only.
 */
public final class HaFileWriter {

  private HaFileWriter() {}

  public static void write(HaPaths paths, HaFiles files) throws IOException {
    Files.createDirectories(paths.configDir());
    replace(paths.keepalivedConf(), files.keepalived(), "rw-------");
    replace(paths.conntrackdConf(), files.conntrackd(), "rw-r--r--");
    replace(paths.notifyScript(), files.notifyScript(), "rwxr-xr-x");
  }

  private static void replace(Path target, String text, String mode) throws IOException {
    Path temp =
        Files.createTempFile(
            target.getParent(),
            "." + target.getFileName(),
            ".new",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(temp, text, StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(mode));
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
