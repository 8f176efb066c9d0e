package dev.kiln.examples.tutorials;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Kiln;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.TransformerEncoder;
import dev.kiln.nn.TransformerEncoderLayer;
import dev.kiln.nn.TransformerLayerOptions;
import dev.kiln.nn.functional.Losses;
import dev.kiln.optim.Adam;

/**
 * A Transformer encoder learns to reverse digit sequences, after PyTorch's nn.Transformer tutorials. Sequences of
 * 3 to 8 digits come right-aligned in 8 slots, padded on the left with a PAD token; the answer is read from the
 * left: slot i holds the digit of slot 7 - i, for i below the length (the other slots are not scored).
 *
 * <p>What it shows: tokens are embedded and given sinusoidal positional encodings (without them self-attention
 * cannot tell the slots apart, and no reversal could be learnt); the key padding mask keeps every slot from
 * attending to PAD slots; a linear head scores the 10 digits at each slot, and cross-entropy ignores the
 * unscored slots through PyTorch's ignore_index (-100). Adam trains on fresh random batches; accuracy is
 * measured on digits it never saw, against chance (1 in 10).
 */
public final class ReverseDigitsTransformer {
  static final int SLOTS = 8, MIN_LENGTH = 3, DIGITS = 10, PAD = 10, D_MODEL = 32;
  static final long IGNORED = -100;

  /** Embedding plus positional encoding, a 2-layer encoder with a padding mask, a digit classifier per slot. */
  static final class Reverser extends Module {
    final boolean positional;
    final Embedding embed = registerModule("embed", new Embedding(DIGITS + 1, D_MODEL));
    final TransformerEncoder encoder = registerModule("encoder", new TransformerEncoder(new TransformerEncoderLayer(
        D_MODEL, 4, new TransformerLayerOptions().dimFeedforward(64).dropout(0).batchFirst(true)), 2));
    final Linear head = registerModule("head", new Linear(D_MODEL, DIGITS));
    final Tensor positions = registerBuffer("positions", sinusoids(SLOTS, D_MODEL), false);

    Reverser(boolean positional) {
      this.positional = positional;
    }

    /** tokens [batch, SLOTS] (int64), padding [batch, SLOTS] (true on PAD) -> digit scores [batch, SLOTS, 10]. */
    Tensor forward(Tensor tokens, Tensor padding) {
      // Added as they are: the embedding's N(0, 1) entries and the encodings' [-1, 1] are of a size, so that
      // neither drowns the other (scaling the embedding by sqrt(d_model) here stalls the training).
      Tensor x = positional ? embed.call(tokens).add(positions) : embed.call(tokens);
      return head.call(encoder.forward(x, null, padding));
    }
  }

  /**
   * The encodings of "Attention Is All You Need": slot p, feature 2k is sin(p / 10000^(2k/d)), feature 2k+1 the
   * cosine. Each slot gets a distinct pattern, and slot p's pattern maps linearly to slot 7 - p's, which is what
   * makes reversal learnable by attention.
   */
  static Tensor sinusoids(int slots, int d) {
    Tensor p = Tensor.arange(slots).to(DType.FLOAT32).view(slots, 1);
    Tensor k = Tensor.arange(0, d, 2).to(DType.FLOAT32).mul(-Math.log(10000.0) / d).exp().view(1, d / 2);
    Tensor angles = p.mul(k); // [slots, d / 2]
    return Tensor.stack(java.util.List.of(angles.sin(), angles.cos()), 2).reshape(slots, d);
  }

  /** One batch: tokens and padding as the model takes them, targets [batch, SLOTS] with IGNORED where unscored. */
  record Batch(Tensor tokens, Tensor padding, Tensor targets) {}

  static Batch batch(int size, Generator g) {
    Tensor lengths = Tensor.randint(g, MIN_LENGTH, SLOTS + 1, size, 1);
    Tensor slot = Tensor.arange(SLOTS).view(1, SLOTS);
    Tensor padding = slot.lt(lengths.neg().add(SLOTS)); // slots before SLOTS - length
    Tensor tokens = Tensor.randint(g, 0, DIGITS, size, SLOTS).maskedFill(padding, (long) PAD);
    Tensor targets = tokens.flip(1).maskedFill(slot.ge(lengths), IGNORED);
    return new Batch(tokens, padding, targets);
  }

  /** The share of scored slots whose highest score is the right digit. */
  static double accuracy(Tensor scores, Tensor targets) {
    Tensor scored = targets.ne(IGNORED);
    double right = scores.argmax(-1).eq(targets).logicalAnd(scored).sum().item();
    return right / scored.sum().item();
  }

  /** The training curve (loss and batch accuracy per step), the accuracy on unseen sequences, and one example. */
  public record Result(double[] losses, double[] accuracies, double testAccuracy, long[] exampleInput,
      long[] exampleOutput) {}

  public static Result run(int steps) {
    return run(steps, true);
  }

  /** Training without positional encodings (positional false) shows what they are for. */
  public static Result run(int steps, boolean positional) {
    Kiln.manualSeed(0);
    Reverser model = new Reverser(positional);
    Adam opt = new Adam(model.parameters(), 3e-3);
    double[] losses = new double[steps], accuracies = new double[steps];
    try (Generator g = new Generator(1)) {
      for (int step = 0; step < steps; step++) {
        try (TensorScope scope = TensorScope.open()) {
          Batch b = batch(64, g);
          opt.zeroGrad();
          Tensor scores = model.forward(b.tokens(), b.padding());
          Tensor loss = Losses.crossEntropy(scores.reshape(-1, DIGITS), b.targets().reshape(-1)); // -100 ignored
          loss.backward();
          opt.step();
          losses[step] = loss.item();
          accuracies[step] = accuracy(scores, b.targets());
        }
      }
    }
    model.eval();
    try (ModeScope noGrad = Autograd.noGrad(); TensorScope scope = TensorScope.open();
        Generator g = new Generator(99)) {
      Batch test = batch(500, g);
      Tensor scores = model.forward(test.tokens(), test.padding());
      Tensor answer = scores.argmax(-1).select(0, 0);
      return new Result(losses, accuracies, accuracy(scores, test.targets()), test.tokens().select(0, 0).toLongArray(),
          answer.toLongArray());
    }
  }

  public static void main(String[] args) {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    long start = System.nanoTime();
    Result r = run(steps);
    for (int s = 0; s < steps; s += Math.max(1, steps / 6))
      System.out.printf("step %4d: loss %.3f, batch accuracy %.3f%n", s + 1, r.losses()[s], r.accuracies()[s]);
    System.out.printf("accuracy on 500 unseen sequences: %.3f (chance 0.1), %.1f s%n", r.testAccuracy(),
        (System.nanoTime() - start) / 1e9);
    int length = (int) java.util.Arrays.stream(r.exampleInput()).filter(t -> t != PAD).count();
    System.out.println("input  (10 = PAD): " + java.util.Arrays.toString(r.exampleInput()));
    System.out.println("output, first " + length + " slots: "
        + java.util.Arrays.toString(java.util.Arrays.copyOf(r.exampleOutput(), length)));
    Result plain = run(steps, false);
    System.out.printf("without positional encodings: accuracy %.3f%n", plain.testAccuracy());
  }

  private ReverseDigitsTransformer() {}
}
