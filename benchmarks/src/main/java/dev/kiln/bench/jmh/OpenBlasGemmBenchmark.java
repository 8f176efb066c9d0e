package dev.kiln.bench.jmh;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;

import java.util.Random;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The same products as GemmBenchmark through cblas_sgemm / cblas_dgemm called directly into a preallocated
 * output: the floor that Kiln's matmul (argument checks, allocation, dispatch) is measured against.
 */
@State(Scope.Thread)
public class OpenBlasGemmBenchmark {
  @Param({"64", "256", "1024", "2048"})
  public int n;

  @Param({"float32", "float64"})
  public String dtype;

  private FloatPointer fa;
  private FloatPointer fb;
  private FloatPointer fc;
  private DoublePointer da;
  private DoublePointer db;
  private DoublePointer dc;

  @Setup
  public void setup() {
    Random r = new Random(1);
    int len = n * n;
    if (dtype.equals("float32")) {
      fa = new FloatPointer(len);
      fb = new FloatPointer(len);
      fc = new FloatPointer(len);
      for (int i = 0; i < len; i++) {
        fa.put(i, (float) r.nextGaussian());
        fb.put(i, (float) r.nextGaussian());
      }
    } else {
      da = new DoublePointer(len);
      db = new DoublePointer(len);
      dc = new DoublePointer(len);
      for (int i = 0; i < len; i++) {
        da.put(i, r.nextGaussian());
        db.put(i, r.nextGaussian());
      }
    }
  }

  @TearDown
  public void tearDown() {
    for (var p : new org.bytedeco.javacpp.Pointer[] {fa, fb, fc, da, db, dc}) {
      if (p != null) p.close();
    }
  }

  @Benchmark
  public void gemm() {
    if (fa != null) {
      openblas.cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1f, fa, n, fb, n, 0f, fc, n);
    } else {
      openblas.cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, da, n, db, n, 0.0, dc, n);
    }
  }
}
