package dev.kiln.optim;

import dev.kiln.Tensor;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;
import java.util.ArrayList;
import java.util.List;

/**
 * One native call that updates every parameter of a group (the *_step rows of the core's optim ops): the
 * group's tensors go slot by slot (params, grads, then state), with the options and per-parameter
 * scalars after them.
 */
final class FusedStep {
  private final int op;
  private final List<List<Tensor>> slots = new ArrayList<>();
  private final List<Long> perParamInts = new ArrayList<>();
  private final List<List<Double>> perParamReals = new ArrayList<>();

  FusedStep(String op, int slotCount, int perParamRealCount) {
    this.op = Core.op(op);
    for (int i = 0; i < slotCount; i++) slots.add(new ArrayList<>());
    for (int i = 0; i < perParamRealCount; i++) perParamReals.add(new ArrayList<>());
  }

  /** One parameter: its tensors (one per slot), its integer flag (if the op takes one) and its scalars. */
  FusedStep add(Tensor[] tensors, Long flag, double... reals) {
    for (int s = 0; s < tensors.length; s++) slots.get(s).add(tensors[s]);
    if (flag != null) perParamInts.add(flag);
    for (int r = 0; r < reals.length; r++) perParamReals.get(r).add(reals[r]);
    return this;
  }

  boolean isEmpty() {
    return slots.get(0).isEmpty();
  }

  /** Runs the step: ints are the options after n, reals the options before the per-parameter scalars. */
  void run(long[] ints, double... reals) {
    if (isEmpty()) return;
    int n = slots.get(0).size();
    long[] handles = new long[n * slots.size()];
    int k = 0;
    for (List<Tensor> slot : slots) for (Tensor t : slot) handles[k++] = t.handle();
    long[] allInts = new long[1 + ints.length + perParamInts.size()];
    allInts[0] = n;
    System.arraycopy(ints, 0, allInts, 1, ints.length);
    for (int i = 0; i < perParamInts.size(); i++) allInts[1 + ints.length + i] = perParamInts.get(i);
    int per = 0;
    for (List<Double> r : perParamReals) per += r.size();
    double[] allReals = new double[reals.length + per];
    System.arraycopy(reals, 0, allReals, 0, reals.length);
    int p = reals.length;
    for (List<Double> r : perParamReals) for (double v : r) allReals[p++] = v;
    Core.call(op, Frame.of(handles, allInts, allReals), 0);
  }

  static long flag(boolean b) {
    return b ? 1 : 0;
  }

  static void check(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }
}
