package dev.kiln.examples.tutorials;

import dev.kiln.Generator;
import dev.kiln.Kiln;
import dev.kiln.Tensor;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Tanh;
import dev.kiln.optim.Adam;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Freezing layers for fine-tuning. A network is trained on task A (y = x0^2 + x1^2); its hidden layers are
 * then frozen (requiresGrad(false) on their parameters), a new output layer is put on top, and only that
 * layer is trained on task B (y = x0^2 - x1^2), with an optimizer given the trainable parameters alone.
 * The frozen weights come out unchanged, bit for bit, and get no gradients: backward stops at the new
 * layer, since nothing below it requires grad. The features learnt on A make B easy: the new layer on the
 * pretrained body does far better than the same layer on an untrained body.
 */
public final class FineTuning {
  /** 256 points x uniform in [-1, 1]^2 (seed 2). */
  static Tensor inputs() {
    try (Generator g = new Generator(2)) {
      return Tensor.rand(g, 256, 2).mul(2).sub(1);
    }
  }

  static Tensor taskA(Tensor x) {
    return x.pow(2).sum(1, true);
  }

  static Tensor taskB(Tensor x) {
    return x.narrow(1, 0, 1).pow(2).sub(x.narrow(1, 1, 1).pow(2));
  }

  /** The hidden layers, shared by both tasks. */
  static Sequential body() {
    return new Sequential(new Linear(2, 32), new Tanh(), new Linear(32, 32), new Tanh());
  }

  /** Full-batch Adam (lr 0.02) on the mean squared error; returns the loss before each step. */
  static double[] train(Module model, List<Tensor> params, Tensor x, Tensor y, int steps) {
    Adam opt = new Adam(params, 0.02);
    double[] losses = new double[steps];
    for (int step = 0; step < steps; step++) {
      opt.zeroGrad();
      Tensor loss = model.call(x).sub(y).pow(2).mean();
      losses[step] = loss.item();
      loss.backward();
      opt.step();
    }
    return losses;
  }

  /** Only the parameters that still require grad: what the optimizer of a fine-tuning run is given. */
  static List<Tensor> trainable(Module model) {
    return model.parameters().stream().filter(Tensor::requiresGrad).toList();
  }

  /**
   * @param bodyUnchanged every frozen weight equal to its value before fine-tuning
   * @param bodyGradsNull no frozen weight received a gradient
   */
  public record Result(double[] pretrainLosses, double[] fineTuneLosses, double[] untrainedBodyLosses, int trainableCount,
                       int parameterCount, boolean bodyUnchanged, boolean bodyGradsNull) {}

  public static Result run(int steps) {
    Kiln.manualSeed(0);
    Tensor x = inputs();
    Sequential body = body();
    Sequential modelA = new Sequential(body, new Linear(32, 1));
    double[] pretrain = train(modelA, modelA.parameters(), x, taskA(x), steps);

    // Clear what pretraining left in .grad, then freeze.
    modelA.zeroGrad();
    body.requiresGrad(false);
    // The model for B shares the trained body and has a new head; body.eval() would also freeze dropout
    // and batch-norm statistics, had the body any.
    Sequential modelB = new Sequential(body, new Linear(32, 1));
    Map<String, Tensor> before = snapshot(body);
    List<Tensor> params = trainable(modelB);
    double[] fineTune = train(modelB, params, x, taskB(x), steps);

    boolean unchanged = true, gradsNull = true;
    for (Map.Entry<String, Tensor> e : body.stateDict().entrySet())
      unchanged &= java.util.Arrays.equals(before.get(e.getKey()).toFloatArray(), e.getValue().toFloatArray());
    for (Tensor p : body.parameters()) gradsNull &= p.grad() == null;

    // The same new head on a body that never saw task A, frozen as well.
    Sequential untrained = new Sequential(body().requiresGrad(false), new Linear(32, 1));
    double[] baseline = train(untrained, trainable(untrained), x, taskB(x), steps);
    return new Result(pretrain, fineTune, baseline, params.size(), modelB.parameters().size(), unchanged, gradsNull);
  }

  private static Map<String, Tensor> snapshot(Module m) {
    Map<String, Tensor> copy = new LinkedHashMap<>();
    m.stateDict().forEach((k, v) -> copy.put(k, v.clone()));
    return copy;
  }

  public static void main(String[] args) {
    Result r = run(300);
    int last = r.fineTuneLosses().length - 1;
    System.out.printf("%-38s loss %.5f -> %.5f%n", "task A, whole network:", r.pretrainLosses()[0], r.pretrainLosses()[last]);
    System.out.printf("%-38s loss %.5f -> %.5f (training %d of %d parameter tensors)%n", "task B, new head on the frozen body:",
        r.fineTuneLosses()[0], r.fineTuneLosses()[last], r.trainableCount(), r.parameterCount());
    System.out.printf("%-38s loss %.5f -> %.5f%n", "task B, new head on an untrained body:", r.untrainedBodyLosses()[0],
        r.untrainedBodyLosses()[last]);
    System.out.println("frozen weights unchanged: " + r.bodyUnchanged() + ", and given no gradient: " + r.bodyGradsNull());
  }

  private FineTuning() {}
}
