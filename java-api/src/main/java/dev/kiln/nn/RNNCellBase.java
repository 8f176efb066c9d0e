package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import dev.kiln.nn.init.Init;

/**
 * What RNNCell, LSTMCell and GRUCell share (torch.nn.RNNCellBase): one time step of the matching layer, on
 * input [batch, inputSize] or unbatched [inputSize], with parameters weight_ih, weight_hh, bias_ih, bias_hh
 * initialised uniform in +-1/sqrt(hiddenSize).
 */
public abstract class RNNCellBase extends Module {
  public final int inputSize;
  public final int hiddenSize;
  public final boolean bias;
  public final Tensor weightIh;
  public final Tensor weightHh;
  public final Tensor biasIh;
  public final Tensor biasHh;
  final RNNBase.Mode mode;

  RNNCellBase(RNNBase.Mode mode, int inputSize, int hiddenSize, boolean bias) {
    if (inputSize < 1 || hiddenSize < 1)
      throw new IllegalArgumentException(getClass().getSimpleName() + ": input_size and hidden_size must be positive, got " + inputSize + " and " + hiddenSize);
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.bias = bias;
    int gates = mode.gates * hiddenSize;
    weightIh = registerParameter("weight_ih", Tensor.empty(DType.FLOAT32, gates, inputSize));
    weightHh = registerParameter("weight_hh", Tensor.empty(DType.FLOAT32, gates, hiddenSize));
    biasIh = bias ? registerParameter("bias_ih", Tensor.empty(DType.FLOAT32, gates)) : null;
    biasHh = bias ? registerParameter("bias_hh", Tensor.empty(DType.FLOAT32, gates)) : null;
    if (!bias) {
      registerParameter("bias_ih", null);
      registerParameter("bias_hh", null);
    }
    resetParameters();
  }

  public void resetParameters() {
    double k = 1.0 / Math.sqrt(hiddenSize);
    for (Tensor p : parameters()) Init.uniform_(p, -k, k);
  }

  /** One step from states {h, c} (null entries: zeros); returns the new states. */
  final Tensor[] step(Tensor input, Tensor h, Tensor c) {
    String name = getClass().getSimpleName();
    if (input.dim() != 1 && input.dim() != 2)
      throw new ShapeException(name + ": Expected input to be 1D or 2D, got " + input.dim() + "D instead");
    if (input.size(-1) != inputSize)
      throw new ShapeException(name + ": input has inconsistent input_size: got " + input.size(-1) + " expected " + inputSize);
    boolean batched = input.dim() == 2;
    Tensor x = batched ? input : input.unsqueeze(0);
    long[] shape = {x.size(0), hiddenSize};
    Tensor[] state = {state(h, batched, shape, x), mode == RNNBase.Mode.LSTM ? state(c, batched, shape, x) : null};
    Tensor gx = x.matmul(tensor("weight_ih").t()), gh = state[0].matmul(tensor("weight_hh").t());
    if (bias) {
      gx = gx.add(tensor("bias_ih"));
      gh = gh.add(tensor("bias_hh"));
    }
    RNNBase.step(mode, gx, gh, state, null);
    if (!batched) {
      state[0] = state[0].squeeze(0);
      if (state[1] != null) state[1] = state[1].squeeze(0);
    }
    return state;
  }

  private Tensor state(Tensor given, boolean batched, long[] shape, Tensor x) {
    if (given == null) return Tensor.zeros(x.dtype(), shape);
    Tensor s = batched ? given : given.unsqueeze(0);
    if (!java.util.Arrays.equals(s.shape(), shape))
      throw new ShapeException(getClass().getSimpleName() + ": hidden state has shape " + java.util.Arrays.toString(given.shape())
          + ", expected " + java.util.Arrays.toString(batched ? shape : new long[] {hiddenSize}));
    return s;
  }

  @Override
  protected String extraRepr() {
    return inputSize + ", " + hiddenSize + (bias ? "" : ", bias=False");
  }
}
