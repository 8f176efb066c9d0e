package dev.kiln.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Times per call (ns) gathered over a run, by side and workload id. A side is "kiln", "openblas", or a peer under
 * a thread setting: "pytorch:" or "bytedeco:" followed by the setting's label.
 */
public final class Samples {
  public static final String KILN = "kiln";
  public static final String OPENBLAS = "openblas";
  public static final String PYTORCH = "pytorch:";
  public static final String BYTEDECO = "bytedeco:";

  /** A peer's best thread setting for a workload: the one of lowest median time. */
  public record Best(String setting, Summary summary) {}

  private final Map<String, Map<String, List<Double>>> bySide = new LinkedHashMap<>();

  public void add(String side, String id, List<Double> nanos) {
    bySide.computeIfAbsent(side, s -> new LinkedHashMap<>()).computeIfAbsent(id, i -> new ArrayList<>()).addAll(nanos);
  }

  public void addAll(String side, Map<String, List<Double>> nanosById) {
    nanosById.forEach((id, nanos) -> add(side, id, nanos));
  }

  public Summary summary(String side, String id) {
    return Summary.of(bySide.getOrDefault(side, Map.of()).get(id));
  }

  /** The best setting of the peer whose sides start with prefix, or null when it has no figures for id. */
  public Best best(String prefix, String id) {
    Best best = null;
    for (String side : bySide.keySet()) {
      if (!side.startsWith(prefix)) continue;
      Summary s = summary(side, id);
      if (s != null && (best == null || s.median() < best.summary().median())) {
        best = new Best(side.substring(prefix.length()), s);
      }
    }
    return best;
  }
}
