package dev.kiln.internal;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading the natives in fresh JVMs: a clear error where they cannot load, and no race on an empty cache. */
class NativeLoadingTest {
  private static Process start(Path cache, String... properties) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), "-Dorg.bytedeco.javacpp.cachedir=" + cache));
    cmd.addAll(List.of(properties));
    cmd.add(LoadProbe.class.getName());
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  private static String output(Process p) throws Exception {
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM finished");
    return out;
  }

  @Test
  void aPlatformWithoutNativesGetsOneClearError(@TempDir Path cache) throws Exception {
    Process p = start(cache, "-Dorg.bytedeco.javacpp.platform=linux-arm64");
    String out = output(p);
    assertNotEquals(0, p.exitValue(), out);
    assertTrue(out.contains("dev.kiln.NativeLibraryError: Kiln could not load its native library"), out);
    assertTrue(out.contains("linux-x86_64 only"), out);
    assertFalse(out.contains("ExceptionInInitializerError"), "not wrapped: " + out);
  }

  @Test
  void twoJvmsLoadingAtOnceIntoAnEmptyCacheBothWork(@TempDir Path cache) throws Exception {
    Process a = start(cache), b = start(cache);
    String outA = output(a), outB = output(b);
    assertEquals(0, a.exitValue(), outA);
    assertEquals(0, b.exitValue(), outB);
    assertEquals("6.0", outA.trim());
    assertEquals("6.0", outB.trim());
  }
}
