package dev.kiln.bench;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The run's Markdown table: each workload's figure for Kiln, for PyTorch 1.13 at its best thread setting (and
 * which one), their ratio, PyTorch in the JVM and OpenBLAS direct where they ran, the target; then the peak
 * resident memory of the training workloads. A figure is the median over every measured iteration with its spread
 * in brackets; "n/a" says a side has no figure (the notes say why).
 */
public final class ResultTable {
  /** Peak resident memory of one training workload, in kB (-1: not measured), and PyTorch's setting. */
  public record Memory(long kilnKb, long pytorchKb, String pytorchSetting) {}

  private ResultTable() {}

  public static String render(List<String> header, List<Workload> workloads, Samples s, Map<String, Memory> memory,
      List<String> notes) {
    StringBuilder b = new StringBuilder();
    header.forEach(l -> b.append(l).append('\n'));
    b.append('\n');
    // The last three columns only where some workload fills them (the kernel suite has none of them).
    boolean showJvm = workloads.stream().anyMatch(w -> w.bytedeco() != null);
    boolean showBlas = workloads.stream().anyMatch(w -> w.openBlas() != null);
    boolean showTarget = workloads.stream().anyMatch(w -> !w.target().isEmpty());
    List<String> head = new ArrayList<>(List.of("workload", "unit", "Kiln", "PyTorch 1.13, best", "its setting",
        "Kiln / PyTorch"));
    if (showJvm) head.add("PyTorch 2.7.1 in the JVM");
    if (showBlas) head.add("OpenBLAS direct");
    if (showTarget) head.add("target");
    b.append(row(head)).append(row(Collections.nCopies(head.size(), "---")));
    for (Workload w : workloads) {
      Summary kiln = s.summary(Samples.KILN, w.id());
      Samples.Best torch = s.best(Samples.PYTORCH, w.id());
      Samples.Best jvm = s.best(Samples.BYTEDECO, w.id());
      Summary blas = s.summary(Samples.OPENBLAS, w.id());
      String jvmCell = jvm != null ? cell(w, jvm.summary()) + " (" + jvm.setting() + ")"
          : w.bytedecoNa() != null ? "n/a: " + w.bytedecoNa() : "n/a";
      String blasCell = blas == null ? "" : cell(w, blas)
          + (kiln == null ? "" : String.format(Locale.ROOT, "; Kiln at %.0f%%", 100 * blas.median() / kiln.median()));
      List<String> cells = new ArrayList<>(List.of(w.label(), w.unit().label(), cell(w, kiln),
          torch == null ? "n/a" : cell(w, torch.summary()), torch == null ? "" : torch.setting(),
          ratio(kiln, torch == null ? null : torch.summary())));
      if (showJvm) cells.add(jvmCell);
      if (showBlas) cells.add(blasCell);
      if (showTarget) cells.add(w.target());
      b.append(row(cells));
    }
    if (!memory.isEmpty()) {
      b.append("\nPeak resident memory of each training workload (VmHWM of its own process after the steps), MB:\n\n");
      b.append("| workload | Kiln | PyTorch 1.13 | its setting | Kiln / PyTorch |\n|---|---|---|---|---|\n");
      for (Workload w : workloads) {
        Memory m = memory.get(w.id());
        if (m == null) continue;
        b.append("| ").append(w.label()).append(" | ").append(mb(m.kilnKb())).append(" | ").append(mb(m.pytorchKb()))
            .append(" | ").append(m.pytorchKb() < 0 ? "" : m.pytorchSetting()).append(" | ")
            .append(m.kilnKb() < 0 || m.pytorchKb() < 0 ? "n/a"
                : String.format(Locale.ROOT, "%.2f", (double) m.kilnKb() / m.pytorchKb()))
            .append(" |\n");
      }
    }
    b.append('\n');
    notes.forEach(n -> b.append("- ").append(n).append('\n'));
    return b.toString();
  }

  private static String row(List<String> cells) {
    return cells.stream().map(c -> c.isEmpty() ? " " : " " + c + " ").collect(Collectors.joining("|", "|", "|\n"));
  }

  /** A side's median figure with its spread, e.g. "4.21 [3%]"; "n/a" when it has none. */
  static String cell(Workload w, Summary s) {
    if (s == null) return "n/a";
    double f = w.unit().figure(s.median(), w.amount());
    return String.format(Locale.ROOT, "%s [%.0f%%]", number(f), 100 * s.spread());
  }

  /** Kiln's speed over PyTorch's (> 1: Kiln faster), whatever the unit: the ratio of median times per call. */
  static String ratio(Summary kiln, Summary torch) {
    if (kiln == null || torch == null) return "n/a";
    return String.format(Locale.ROOT, "%.2fx", torch.median() / kiln.median());
  }

  /** Three significant digits (all the digits of the integer part from 100 up), never in exponent form. */
  static String number(double v) {
    if (v >= 100) return String.format(Locale.ROOT, "%,.0f", v);
    BigDecimal d = new BigDecimal(v).round(new MathContext(3));
    if (d.precision() < 3) d = d.setScale(d.scale() + 3 - d.precision()); // 0.5 -> 0.500, 1 -> 1.00
    return d.toPlainString();
  }

  private static String mb(long kb) {
    return kb < 0 ? "n/a" : String.format(Locale.ROOT, "%,.0f", kb / 1024.0);
  }
}
