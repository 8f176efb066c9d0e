package dev.kiln.nn.functional;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;

/**
 * The dropouts of {@code torch.nn.functional}, with PyTorch's names and defaults: elements (dropout), whole
 * channels (dropout1d/2d/3d, through feature dropout) and the self-normalizing alpha forms. Masks come from the
 * given {@link Generator}, or the global one ({@code Kiln.manualSeed}) when it is null: the same seed gives the
 * same mask whatever the number of threads. They do not match PyTorch's masks (a different random stream).
 *
 * <pre>{@code
 * Tensor y = Dropouts.dropout(x, 0.1, model.isTraining());   // F.dropout(x, 0.1, training)
 * Tensor z = Dropouts.dropout2d(feature, 0.2, true, false, new Generator(7));
 * }</pre>
 *
 * <p>Not training, or p = 0, returns the input itself; p = 1 returns {@code x * 0}. The kept elements of dropout
 * are scaled by {@code 1 / (1 - p)}.
 */
public final class Dropouts {
  private Dropouts() {}

  private static final int DROPOUT = Core.op("dropout"),
      FEATURE_DROPOUT = Core.op("feature_dropout"),
      ALPHA_DROPOUT = Core.op("alpha_dropout"),
      FEATURE_ALPHA_DROPOUT = Core.op("feature_alpha_dropout");

  /** dropout with p 0.5, training. */
  public static Tensor dropout(Tensor input) {
    return dropout(input, 0.5, true, false, null);
  }

  public static Tensor dropout(Tensor input, double p) {
    return dropout(input, p, true, false, null);
  }

  public static Tensor dropout(Tensor input, double p, boolean training) {
    return dropout(input, p, training, false, null);
  }

  public static Tensor dropout(Tensor input, double p, boolean training, boolean inplace) {
    return dropout(input, p, training, inplace, null);
  }

  /** Each element zeroed with probability p, the others scaled by 1 / (1 - p); inplace writes into input. */
  public static Tensor dropout(Tensor input, double p, boolean training, boolean inplace, Generator generator) {
    return run(DROPOUT, "dropout", input, p, training, inplace, generator);
  }

  /** alphaDropout with p 0.5, not training (F.alpha_dropout's default): the input itself. */
  public static Tensor alphaDropout(Tensor input) {
    return alphaDropout(input, 0.5, false, false, null);
  }

  public static Tensor alphaDropout(Tensor input, double p, boolean training) {
    return alphaDropout(input, p, training, false, null);
  }

  /**
   * Dropout for SELU networks: dropped elements take SELU's negative saturation value and an affine map keeps
   * a standard normal input standard normal.
   */
  public static Tensor alphaDropout(Tensor input, double p, boolean training, boolean inplace, Generator generator) {
    return run(ALPHA_DROPOUT, "alpha_dropout", input, p, training, inplace, generator);
  }

  /** featureAlphaDropout with p 0.5, not training: the input itself. */
  public static Tensor featureAlphaDropout(Tensor input) {
    return featureAlphaDropout(input, 0.5, false, false, null);
  }

  public static Tensor featureAlphaDropout(Tensor input, double p, boolean training) {
    return featureAlphaDropout(input, p, training, false, null);
  }

  /** Alpha dropout of whole channels (dim 1 of [N, C, *]). */
  public static Tensor featureAlphaDropout(Tensor input, double p, boolean training, boolean inplace,
      Generator generator) {
    return run(FEATURE_ALPHA_DROPOUT, "feature_alpha_dropout", input, p, training, inplace, generator);
  }

  /** dropout1d with p 0.5, training. */
  public static Tensor dropout1d(Tensor input) {
    return dropout1d(input, 0.5, true, false, null);
  }

  public static Tensor dropout1d(Tensor input, double p, boolean training) {
    return dropout1d(input, p, training, false, null);
  }

  /** Whole channels of [N, C, L] (or [C, L] without a batch) zeroed with probability p, the rest scaled. */
  public static Tensor dropout1d(Tensor input, double p, boolean training, boolean inplace, Generator generator) {
    int dims = input.dim();
    if (dims != 2 && dims != 3)
      throw new IllegalArgumentException("dropout1d: Expected 2D or 3D input, but received a " + dims + "D input. "
          + "Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel "
          + "dimension, and an optional batch dimension (i.e. 2D or 3D inputs).");
    return channels(input, dims == 3, p, training, inplace, generator, "dropout1d");
  }

  /** dropout2d with p 0.5, training. */
  public static Tensor dropout2d(Tensor input) {
    return dropout2d(input, 0.5, true, false, null);
  }

  public static Tensor dropout2d(Tensor input, double p, boolean training) {
    return dropout2d(input, p, training, false, null);
  }

  /**
   * Whole channels (dim 1) of [N, C, H, W] zeroed with probability p, the rest scaled. As PyTorch 1.13, a 3-D
   * input is taken as [N, C, L] (channel-wise 1-D dropout), not as an unbatched image.
   */
  public static Tensor dropout2d(Tensor input, double p, boolean training, boolean inplace, Generator generator) {
    return channels(input, true, p, training, inplace, generator, "dropout2d");
  }

  /** dropout3d with p 0.5, training. */
  public static Tensor dropout3d(Tensor input) {
    return dropout3d(input, 0.5, true, false, null);
  }

  public static Tensor dropout3d(Tensor input, double p, boolean training) {
    return dropout3d(input, p, training, false, null);
  }

  /** Whole channels of [N, C, D, H, W] (or [C, D, H, W] without a batch) zeroed with probability p. */
  public static Tensor dropout3d(Tensor input, double p, boolean training, boolean inplace, Generator generator) {
    return channels(input, input.dim() == 5, p, training, inplace, generator, "dropout3d");
  }

  private static Tensor channels(Tensor input, boolean batched, double p, boolean training, boolean inplace,
      Generator generator, String name) {
    checkP(name, p);
    if (batched) return run(FEATURE_DROPOUT, name, input, p, training, inplace, generator);
    Tensor out = run(FEATURE_DROPOUT, name, input.unsqueeze(0), p, training, false, generator).squeeze(0);
    return inplace && training && p > 0 ? input.copy_(out) : inplace ? input : out;
  }

  private static Tensor run(int op, String name, Tensor input, double p, boolean training, boolean inplace,
      Generator generator) {
    checkP(name, p);
    long gen = generator == null ? 0 : generator.handle();
    Tensor out = Tensor.adopt(Core.call(op, Frame.of(new long[] {input.handle()}, new long[] {gen, training ? 1 : 0}, p)));
    if (!inplace) return out;
    if (!training || p == 0) { // the op gave back the input itself
      out.close();
      return input;
    }
    return input.copy_(out);
  }

  private static void checkP(String name, double p) {
    if (!(p >= 0 && p <= 1))
      throw new IllegalArgumentException(name + ": dropout probability has to be between 0 and 1, but got " + p);
  }
}
