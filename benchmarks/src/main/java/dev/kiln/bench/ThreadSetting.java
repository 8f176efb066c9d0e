package dev.kiln.bench;

import java.util.Map;

/**
 * The environments a PyTorch side runs under. On 2 cores PyTorch's OpenMP threads (spinning while they wait) and
 * OpenBLAS's threads fight; each setting below stops one of them, and the table compares against the best. PyTorch
 * may default to fewer threads than there are cores (1 on the 2-core machines here), so besides its default the
 * settings run with one thread per core (torch.set_num_threads).
 */
public enum ThreadSetting {
  DEFAULT("default", Map.of(), false),
  ALL_CORES("default, all cores", Map.of(), true),
  OMP_PASSIVE("OMP_WAIT_POLICY=PASSIVE, all cores", Map.of("OMP_WAIT_POLICY", "PASSIVE"), true),
  OPENBLAS_ONE("OPENBLAS_NUM_THREADS=1, all cores", Map.of("OPENBLAS_NUM_THREADS", "1"), true);

  private final String label;
  private final Map<String, String> env;
  private final boolean allCores;

  ThreadSetting(String label, Map<String, String> env, boolean allCores) {
    this.label = label;
    this.env = env;
    this.allCores = allCores;
  }

  /** The thread count to ask PyTorch for, or 0 to leave its default. */
  public int threads() {
    return allCores ? Runtime.getRuntime().availableProcessors() : 0;
  }

  public String label() {
    return label;
  }

  public Map<String, String> env() {
    return env;
  }
}
