package dev.kiln.internal;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** What to tell a user whose machine cannot load Kiln's natives. */
final class NativeLoading {
  private NativeLoading() {}

  static final String SUPPORTED = "linux-x86_64";

  static String explain(Throwable cause) {
    String os = System.getProperty("os.name"), arch = System.getProperty("os.arch");
    String platform = System.getProperty("org.bytedeco.javacpp.platform", platformOf(os, arch));
    StringBuilder s = new StringBuilder("Kiln could not load its native library on this machine (").append(os).append(' ')
        .append(arch).append(", JavaCPP platform ").append(platform);
    String glibc = glibc();
    if (glibc != null) s.append(", glibc ").append(glibc);
    s.append("). ");
    if (!platform.equals(SUPPORTED)) {
      s.append("Kiln ships natives for ").append(SUPPORTED).append(" only so far; this platform has none.");
    } else {
      s.append("Kiln's natives need glibc 2.34 or newer and the jar dev.kiln:kiln-native:<version>:").append(SUPPORTED)
          .append(" (with org.bytedeco:openblas:...:").append(SUPPORTED).append(") on the class path; Maven brings them with dev.kiln:kiln. ")
          .append("If they are there, JavaCPP's cache (~/.javacpp/cache, or -Dorg.bytedeco.javacpp.cachedir) must be writable.");
    }
    s.append(" Cause: ").append(rootMessage(cause));
    return s.toString();
  }

  private static String platformOf(String os, String arch) {
    String o = os.toLowerCase().startsWith("linux") ? "linux" : os.toLowerCase().startsWith("mac") ? "macosx"
        : os.toLowerCase().startsWith("windows") ? "windows" : os.toLowerCase();
    String a = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch.equals("aarch64") ? "arm64" : arch;
    return o + "-" + a;
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  /** The C library's version as `ldd --version` prints it, or null where that cannot be run. */
  private static String glibc() {
    try {
      Process p = new ProcessBuilder("ldd", "--version").redirectErrorStream(true).start();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String first = r.readLine();
        p.waitFor(2, TimeUnit.SECONDS);
        if (first == null) return null;
        String[] words = first.trim().split("\\s+");
        return words[words.length - 1];
      }
    } catch (Exception e) {
      return null;
    }
  }
}
