package dev.kiln.optim.scheduler;

import dev.kiln.optim.Optimizer;
import java.util.Map;

/**
 * Cosine annealing with warm restarts (SGDR): periods of t0, t0 * tMult, ... steps
 * (torch.optim.lr_scheduler.CosineAnnealingWarmRestarts). step(epoch) accepts fractional epochs through
 * {@link #step(double)}.
 */
public class CosineAnnealingWarmRestarts extends LRScheduler {
  private int t0;
  private int tMult;
  private double etaMin;
  private int tI;
  private double tCur;

  public CosineAnnealingWarmRestarts(Optimizer optimizer, int t0) {
    this(optimizer, t0, 1, 0);
  }

  public CosineAnnealingWarmRestarts(Optimizer optimizer, int t0, int tMult, double etaMin) {
    super(optimizer, -1);
    if (t0 <= 0) throw new IllegalArgumentException("Expected positive integer T_0, but got " + t0);
    if (tMult < 1) throw new IllegalArgumentException("Expected integer T_mult >= 1, but got " + tMult);
    this.t0 = t0;
    this.tI = t0;
    this.tMult = tMult;
    this.etaMin = etaMin;
    this.tCur = -1;
    initialStep();
  }

  @Override
  protected double[] computeLr() {
    return map(baseLrs, b -> etaMin + (b - etaMin) * (1 + Math.cos(Math.PI * tCur / tI)) / 2);
  }

  @Override
  public void step() {
    if (lastEpoch < 0) {
      step(0.0);
      return;
    }
    tCur = tCur + 1;
    if (tCur >= tI) {
      tCur = tCur - tI;
      tI = tI * tMult;
    }
    moveTo(lastEpoch + 1);
  }

  @Override
  public void step(int epoch) {
    step((double) epoch);
  }

  /** Moves to a (possibly fractional) epoch, as PyTorch's step(epoch + i / iters). */
  public void step(double epoch) {
    if (epoch < 0) throw new IllegalArgumentException("Expected non-negative epoch, but got " + epoch);
    if (epoch >= t0) {
      if (tMult == 1) {
        tCur = epoch % t0;
      } else {
        int n = (int) (Math.log(epoch / t0 * (tMult - 1) + 1) / Math.log(tMult));
        tCur = epoch - t0 * (Math.pow(tMult, n) - 1) / (tMult - 1);
        tI = (int) (t0 * Math.pow(tMult, n));
      }
    } else {
      tI = t0;
      tCur = epoch;
    }
    moveTo((int) Math.floor(epoch));
  }

  private void moveTo(int epoch) {
    stepCount++;
    lastEpoch = epoch;
    apply(computeLr());
  }

  /** The base state and the cycle: T_0, T_i, T_mult, eta_min and T_cur, as PyTorch's. */
  @Override
  public Map<String, Object> stateDict() {
    Map<String, Object> s = super.stateDict();
    s.put("T_0", t0);
    s.put("T_i", tI);
    s.put("T_mult", tMult);
    s.put("eta_min", etaMin);
    s.put("T_cur", tCur);
    return s;
  }

  @Override
  public void loadStateDict(Map<String, Object> state) {
    super.loadStateDict(state);
    t0 = ((Number) state.get("T_0")).intValue();
    tI = ((Number) state.get("T_i")).intValue();
    tMult = ((Number) state.get("T_mult")).intValue();
    etaMin = ((Number) state.get("eta_min")).doubleValue();
    tCur = ((Number) state.get("T_cur")).doubleValue();
  }
}
