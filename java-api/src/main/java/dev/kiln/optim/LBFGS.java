package dev.kiln.optim;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * L-BFGS (torch.optim.LBFGS, the same iteration step for step): a quasi-Newton method that re-evaluates the
 * model through a closure, so it is driven with {@link #step(Supplier)}. Options: lr 1, max_iter 20, max_eval
 * (max_iter * 5 / 4), tolerance_grad 1e-7, tolerance_change 1e-9, history_size 100, line_search_fn null or
 * "strong_wolfe". One parameter group only. It sees all parameters as one flat vector and keeps
 * history_size pairs of such vectors.
 *
 * <p>The scalars of the iteration (step length, curvature products) are rounded to the parameters' dtype after
 * each operation, as PyTorch's 0-dim tensors are, so that float32 runs follow PyTorch's decisions.
 */
public class LBFGS extends Optimizer {
  private static final Map<String, Object> DEFAULTS = defaults();

  private static Map<String, Object> defaults() {
    Map<String, Object> d = new java.util.LinkedHashMap<>();
    d.put("lr", 1.0);
    d.put("max_iter", 20.0);
    d.put("max_eval", null);
    d.put("tolerance_grad", 1e-7);
    d.put("tolerance_change", 1e-9);
    d.put("history_size", 100.0);
    d.put("line_search_fn", null);
    return d;
  }

  private final List<Tensor> params;
  private final DType dtype;

  public LBFGS(Iterable<Tensor> params) {
    this(params, Map.of());
  }

  public LBFGS(Iterable<Tensor> params, Map<String, ?> options) {
    super(params, DEFAULTS, options);
    if (paramGroups().size() != 1) throw new IllegalArgumentException("LBFGS doesn't support per-parameter options (parameter groups)");
    ParamGroup g = paramGroups().get(0);
    if (g.get("max_eval") == null) g.set("max_eval", (double) ((long) g.getDouble("max_iter") * 5 / 4));
    Object ls = g.get("line_search_fn");
    if (ls != null && !"strong_wolfe".equals(ls))
      throw new IllegalArgumentException("LBFGS: only 'strong_wolfe' is supported as line_search_fn, got '" + ls + "'");
    this.params = g.params();
    this.dtype = this.params.isEmpty() ? DType.FLOAT32 : this.params.get(0).dtype();
    for (Tensor p : this.params)
      if (p.dtype() != dtype) throw new IllegalArgumentException("LBFGS: all parameters must have one dtype, got " + dtype + " and " + p.dtype());
  }

  /** L-BFGS needs to re-evaluate the function: call {@link #step(Supplier)}. */
  @Override
  public void step() {
    throw new UnsupportedOperationException("LBFGS: step() needs a closure that re-evaluates the model and returns the loss");
  }

  @Override
  @SuppressWarnings("unchecked")
  public Tensor step(Supplier<Tensor> closure) {
    ParamGroup group = paramGroups().get(0);
    double lr = group.lr();
    int maxIter = (int) group.getDouble("max_iter");
    int maxEval = (int) group.getDouble("max_eval");
    double toleranceGrad = group.getDouble("tolerance_grad");
    double toleranceChange = group.getDouble("tolerance_change");
    int historySize = (int) group.getDouble("history_size");
    boolean wolfe = group.get("line_search_fn") != null;
    Map<String, Object> state = state(params.get(0));
    state.putIfAbsent("func_evals", 0);
    state.putIfAbsent("n_iter", 0);

    Tensor origLoss = evaluate(closure);
    double loss = origLoss.item();
    int currentEvals = 1;
    state.put("func_evals", count(state, "func_evals") + 1);
    try (ModeScope noGrad = Autograd.noGrad()) {
      Tensor flatGrad = gatherFlatGrad();
      if (flatGrad.abs().max().item() <= toleranceGrad) return origLoss;

      Tensor d = (Tensor) state.get("d");
      double t = state.containsKey("t") ? ((Number) state.get("t")).doubleValue() : 0;
      List<Tensor> oldDirs = (List<Tensor>) state.get("old_dirs");
      List<Tensor> oldStps = (List<Tensor>) state.get("old_stps");
      List<Double> ro = state.containsKey("ro") ? new ArrayList<>() : null;
      if (ro != null) for (Object x : (List<?>) state.get("ro")) ro.add(((Number) x).doubleValue());
      double hDiag = state.containsKey("H_diag") ? ((Number) state.get("H_diag")).doubleValue() : 1;
      Tensor prevFlatGrad = (Tensor) state.get("prev_flat_grad");
      double prevLoss = state.containsKey("prev_loss") ? ((Number) state.get("prev_loss")).doubleValue() : 0;

      int nIter = 0;
      while (nIter < maxIter) {
        nIter++;
        int globalIter = count(state, "n_iter") + 1;
        state.put("n_iter", globalIter);
        if (globalIter == 1) {
          d = flatGrad.neg();
          oldDirs = new ArrayList<>();
          oldStps = new ArrayList<>();
          ro = new ArrayList<>();
          hDiag = 1;
        } else {
          // Update the curvature pairs, skipping a pair whose curvature is not positive.
          Tensor y = flatGrad.sub(prevFlatGrad);
          Tensor s = d.mul(t);
          double ys = dot(y, s);
          if (ys > 1e-10) {
            if (oldDirs.size() == historySize) {
              oldDirs.remove(0);
              oldStps.remove(0);
              ro.remove(0);
            }
            oldDirs.add(y);
            oldStps.add(s);
            ro.add(round(1.0 / ys));
            hDiag = round(ys / dot(y, y));
          }
          d = twoLoopDirection(flatGrad, oldDirs, oldStps, ro, hDiag);
        }
        if (prevFlatGrad == null) prevFlatGrad = flatGrad.clone();
        else prevFlatGrad.copy_(flatGrad);
        prevLoss = loss;

        if (globalIter == 1) {
          double inverse = round(1.0 / flatGrad.abs().sum().item());
          t = inverse < 1 ? round(inverse * lr) : lr;
        } else {
          t = lr;
        }
        double gtd = dot(flatGrad, d);
        if (gtd > -toleranceChange) break;

        int lsFuncEvals = 0;
        boolean optCond = false;
        if (wolfe) {
          StrongWolfe.Result r = StrongWolfe.search(this::directionalEvaluate, snapshot(), t, d, loss, flatGrad, gtd, toleranceChange);
          loss = r.loss();
          flatGrad = r.grad();
          t = r.t();
          lsFuncEvals = r.evaluations();
          addToParams(t, d);
          optCond = flatGrad.abs().max().item() <= toleranceGrad;
        } else {
          addToParams(t, d);
          if (nIter != maxIter) {
            loss = evaluate(closure).item();
            flatGrad = gatherFlatGrad();
            optCond = flatGrad.abs().max().item() <= toleranceGrad;
            lsFuncEvals = 1;
          }
        }
        currentEvals += lsFuncEvals;
        state.put("func_evals", count(state, "func_evals") + lsFuncEvals);

        if (nIter == maxIter || currentEvals >= maxEval || optCond) break;
        if (d.mul(t).abs().max().item() <= toleranceChange) break;
        if (Math.abs(loss - prevLoss) < toleranceChange) break;
      }
      state.put("d", d);
      state.put("t", t);
      state.put("old_dirs", oldDirs);
      state.put("old_stps", oldStps);
      state.put("ro", ro);
      state.put("H_diag", hDiag);
      state.put("prev_flat_grad", prevFlatGrad);
      state.put("prev_loss", prevLoss);
    }
    return origLoss;
  }

  // Counters come back from a JSON checkpoint as doubles.
  private static int count(Map<String, Object> state, String key) {
    return ((Number) state.get(key)).intValue();
  }

  // The evaluator for the line search, bound to the closure of the current step.
  private Supplier<Tensor> currentClosure;

  private Tensor evaluate(Supplier<Tensor> closure) {
    currentClosure = closure;
    try (ModeScope g = Autograd.enableGrad()) {
      return closure.get();
    }
  }

  /** The two-loop recursion: the quasi-Newton direction -H * grad from the stored curvature pairs. */
  private Tensor twoLoopDirection(Tensor flatGrad, List<Tensor> oldDirs, List<Tensor> oldStps, List<Double> ro, double hDiag) {
    int numOld = oldDirs.size();
    double[] al = new double[numOld];
    Tensor q = flatGrad.neg();
    for (int i = numOld - 1; i >= 0; i--) {
      al[i] = round(dot(oldStps.get(i), q) * ro.get(i));
      q.sub_(oldDirs.get(i).mul(al[i]));
    }
    Tensor r = q.mul(hDiag);
    for (int i = 0; i < numOld; i++) {
      double be = round(dot(oldDirs.get(i), r) * ro.get(i));
      r.add_(oldStps.get(i).mul(round(al[i] - be)));
    }
    return r;
  }

  /** Loss and flat gradient at params + t * d, leaving the parameters at x afterwards. */
  private StrongWolfe.Evaluation directionalEvaluate(List<Tensor> x, double t, Tensor d) {
    addToParams(t, d);
    double loss = evaluate(currentClosure).item();
    Tensor flatGrad = gatherFlatGrad();
    for (int i = 0; i < params.size(); i++) params.get(i).copy_(x.get(i));
    return new StrongWolfe.Evaluation(loss, flatGrad);
  }

  private Tensor gatherFlatGrad() {
    long n = 0;
    for (Tensor p : params) n += p.numel();
    Tensor flat = Tensor.zeros(dtype, n);
    long offset = 0;
    for (Tensor p : params) {
      Tensor g = p.grad();
      if (g != null) flat.narrow(0, offset, p.numel()).copy_(g.reshape(-1));
      offset += p.numel();
    }
    return flat;
  }

  private void addToParams(double stepSize, Tensor update) {
    long offset = 0;
    for (Tensor p : params) {
      p.add_(update.narrow(0, offset, p.numel()).view(p.shape()).mul(stepSize));
      offset += p.numel();
    }
  }

  private List<Tensor> snapshot() {
    List<Tensor> copies = new ArrayList<>();
    for (Tensor p : params) copies.add(p.clone());
    return copies;
  }

  private double dot(Tensor a, Tensor b) {
    return a.mul(b).sum().item();
  }

  /** x rounded as a 0-dim tensor of the parameters' dtype would hold it. */
  private double round(double x) {
    return dtype == DType.FLOAT32 ? (float) x : x;
  }
}
