// The JavaCPP preset: which header to parse, what to link, and what to load first at run time.
package dev.kiln.presets;

import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;
import org.bytedeco.javacpp.tools.InfoMap;
import org.bytedeco.javacpp.tools.InfoMapper;

/**
 * Generates {@code dev.kiln.bindings.KilnNative} from {@code kiln/kiln.h}. The core is linked statically
 * into the JNI library; the only outside dependency is OpenBLAS, which Loader preloads from the
 * {@code org.bytedeco:openblas} platform jar (with the Fortran runtime it needs) before the JNI library.
 */
@Properties(
    target = "dev.kiln.bindings.KilnNative",
    value = @Platform(
        value = "linux-x86_64",
        compiler = "cpp17",
        include = "kiln/kiln.h",
        link = {"openblas@.0", "kiln_core"}, // JavaCPP emits links in reverse: the core, then OpenBLAS
        preload = {"gcc_s@.1", "quadmath@.0", "gfortran@.5", "openblas@.0"},
        preloadresource = "/org/bytedeco/openblas/"))
public class KilnNativeConfig implements InfoMapper {
  @Override
  public void map(InfoMap infoMap) {
    // The facade is plain C-style functions over int64 handles: the default mapping fits.
  }
}
