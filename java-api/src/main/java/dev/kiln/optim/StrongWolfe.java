package dev.kiln.optim;

import dev.kiln.Tensor;
import java.util.List;

/**
 * The strong Wolfe line search of {@link LBFGS} (PyTorch's _strong_wolfe, itself from minFunc's lswolfe):
 * bracket a step length satisfying the sufficient-decrease and curvature conditions, then zoom in on it
 * with safeguarded cubic interpolation.
 */
final class StrongWolfe {
  private static final double C1 = 1e-4, C2 = 0.9;
  private static final int MAX_LS = 25;

  record Evaluation(double loss, Tensor grad) {}

  record Result(double loss, Tensor grad, double t, int evaluations) {}

  /** Evaluates the objective at x + t * d (x: the parameters at the start of the search). */
  interface Objective {
    Evaluation at(List<Tensor> x, double t, Tensor d);
  }

  private StrongWolfe() {}

  static Result search(Objective obj, List<Tensor> x, double t, Tensor d, double f, Tensor g, double gtd, double toleranceChange) {
    double dNorm = d.abs().max().item();
    Evaluation e = obj.at(x, t, d);
    double fNew = e.loss();
    Tensor gNew = e.grad();
    int evals = 1;
    double gtdNew = dot(gNew, d);

    // Bracket an interval containing a point that satisfies the Wolfe conditions.
    double tPrev = 0, fPrev = f, gtdPrev = gtd;
    Tensor gPrev = g;
    boolean done = false;
    int lsIter = 0;
    double[] bracket = null, bracketF = null, bracketGtd = null;
    Tensor[] bracketG = null;
    while (lsIter < MAX_LS) {
      if (fNew > f + C1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
        bracket = new double[] {tPrev, t};
        bracketF = new double[] {fPrev, fNew};
        bracketG = new Tensor[] {gPrev, gNew};
        bracketGtd = new double[] {gtdPrev, gtdNew};
        break;
      }
      if (Math.abs(gtdNew) <= -C2 * gtd) {
        bracket = new double[] {t};
        bracketF = new double[] {fNew};
        bracketG = new Tensor[] {gNew};
        done = true;
        break;
      }
      if (gtdNew >= 0) {
        bracket = new double[] {tPrev, t};
        bracketF = new double[] {fPrev, fNew};
        bracketG = new Tensor[] {gPrev, gNew};
        bracketGtd = new double[] {gtdPrev, gtdNew};
        break;
      }
      // Extrapolate: the cubic's minimum, kept between a little past t and ten times t.
      double minStep = t + 0.01 * (t - tPrev), maxStep = t * 10, tmp = t;
      t = cubicMinimum(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, minStep, maxStep);
      tPrev = tmp;
      fPrev = fNew;
      gPrev = gNew;
      gtdPrev = gtdNew;
      e = obj.at(x, t, d);
      fNew = e.loss();
      gNew = e.grad();
      evals++;
      gtdNew = dot(gNew, d);
      lsIter++;
    }
    if (lsIter == MAX_LS) {
      bracket = new double[] {0, t};
      bracketF = new double[] {f, fNew};
      bracketG = new Tensor[] {g, gNew};
      bracketGtd = new double[] {gtd, gtdNew};
    }

    // Zoom: shrink the bracket until a point satisfies the conditions.
    boolean insufficientProgress = false;
    int low = bracketF[0] <= bracketF[bracketF.length - 1] ? 0 : 1, high = 1 - low;
    while (!done && lsIter < MAX_LS) {
      if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
      t = cubicMinimum(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1],
          Math.min(bracket[0], bracket[1]), Math.max(bracket[0], bracket[1]));
      // Too close to an end of the bracket (twice running, or on it): move a tenth of its length inside.
      double hi = Math.max(bracket[0], bracket[1]), lo = Math.min(bracket[0], bracket[1]);
      double eps = 0.1 * (hi - lo);
      if (Math.min(hi - t, t - lo) < eps) {
        if (insufficientProgress || t >= hi || t <= lo) {
          t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
          insufficientProgress = false;
        } else {
          insufficientProgress = true;
        }
      } else {
        insufficientProgress = false;
      }
      e = obj.at(x, t, d);
      fNew = e.loss();
      gNew = e.grad();
      evals++;
      gtdNew = dot(gNew, d);
      lsIter++;
      if (fNew > f + C1 * t * gtd || fNew >= bracketF[low]) {
        // Not a sufficient decrease, or not below the low end: the new point becomes the high end.
        bracket[high] = t;
        bracketF[high] = fNew;
        bracketG[high] = gNew;
        bracketGtd[high] = gtdNew;
        low = bracketF[0] <= bracketF[1] ? 0 : 1;
        high = 1 - low;
      } else {
        if (Math.abs(gtdNew) <= -C2 * gtd) {
          done = true;
        } else if (gtdNew * (bracket[high] - bracket[low]) >= 0) {
          bracket[high] = bracket[low];
          bracketF[high] = bracketF[low];
          bracketG[high] = bracketG[low];
          bracketGtd[high] = bracketGtd[low];
        }
        bracket[low] = t;
        bracketF[low] = fNew;
        bracketG[low] = gNew;
        bracketGtd[low] = gtdNew;
      }
    }
    return new Result(bracketF[low], bracketG[low], bracket[low], evals);
  }

  /**
   * The minimum of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, clamped to [lo, hi]; the
   * middle of [lo, hi] when the cubic has no minimum.
   */
  static double cubicMinimum(double x1, double f1, double g1, double x2, double f2, double g2, double lo, double hi) {
    double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
    double d2Square = d1 * d1 - g1 * g2;
    if (!(d2Square >= 0)) return (lo + hi) / 2; // also for NaN, as PyTorch
    double d2 = Math.sqrt(d2Square);
    double minPos = x1 <= x2
        ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, lo), hi);
  }

  private static double dot(Tensor a, Tensor b) {
    return a.mul(b).sum().item();
  }
}
