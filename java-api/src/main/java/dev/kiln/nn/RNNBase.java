package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;
import dev.kiln.nn.functional.Dropouts;
import dev.kiln.nn.init.Init;
import dev.kiln.nn.utils.PackedSequence;
import dev.kiln.nn.utils.RnnUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What RNN, LSTM and GRU share (torch.nn.RNNBase): layers of cells run over a sequence, optionally in both
 * directions, with PyTorch's parameter names (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0,
 * weight_hr_l0 for LSTM's projection, "_reverse" for the backward direction), shapes, initialisation
 * (uniform in +-1/sqrt(hiddenSize)) and input layouts ([seq, batch, feature], batchFirst, or unbatched
 * [seq, feature]). The input-to-hidden products of a whole layer are one matrix product before the time loop;
 * for float32 and float64, an LSTM layer without projection and a GRU layer then run their whole recurrence as
 * one native op each way (fused_lstm_layer, fused_gru_layer), the others step by step.
 */
public abstract class RNNBase extends Module {
  private static final int FUSED_LSTM_CELL = Core.op("fused_lstm_cell");
  private static final int FUSED_LSTM_LAYER = Core.op("fused_lstm_layer");
  private static final int FUSED_GRU_LAYER = Core.op("fused_gru_layer");

  enum Mode {
    RNN_TANH(1), RNN_RELU(1), LSTM(4), GRU(3);

    final int gates;

    Mode(int gates) {
      this.gates = gates;
    }
  }

  public final int inputSize;
  public final int hiddenSize;
  public final int numLayers;
  public final boolean bias;
  public final boolean batchFirst;
  public final double dropout;
  public final boolean bidirectional;
  public final int projSize;
  final Mode mode;
  private final String[][] weightNames; // [layer * directions + direction] -> w_ih, w_hh, b_ih, b_hh, w_hr (null: none)

  RNNBase(Mode mode, RNNOptions o) {
    String name = mode == Mode.LSTM ? "LSTM" : mode == Mode.GRU ? "GRU" : "RNN";
    if (o.inputSize < 1 || o.hiddenSize < 1) throw new IllegalArgumentException(name + ": input_size and hidden_size must be positive, got " + o.inputSize + " and " + o.hiddenSize);
    if (o.numLayers < 1) throw new IllegalArgumentException(name + ": num_layers must be greater than or equal to 1, got " + o.numLayers);
    if (!(o.dropout >= 0 && o.dropout <= 1)) throw new IllegalArgumentException(name + ": dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got " + o.dropout);
    if (o.projSize < 0) throw new IllegalArgumentException(name + ": proj_size should be a positive integer or zero to disable projections");
    if (o.projSize > 0 && mode != Mode.LSTM) throw new IllegalArgumentException(name + ": proj_size argument is only supported for LSTM, not RNN or GRU");
    if (o.projSize >= o.hiddenSize) throw new IllegalArgumentException(name + ": proj_size has to be smaller than hidden_size");
    this.mode = mode;
    this.inputSize = o.inputSize;
    this.hiddenSize = o.hiddenSize;
    this.numLayers = o.numLayers;
    this.bias = o.bias;
    this.batchFirst = o.batchFirst;
    this.dropout = o.dropout;
    this.bidirectional = o.bidirectional;
    this.projSize = o.projSize;
    int directions = directions(), gateSize = mode.gates * hiddenSize, realHidden = outputHidden();
    weightNames = new String[numLayers * directions][];
    for (int layer = 0; layer < numLayers; layer++) {
      int layerInput = layer == 0 ? inputSize : realHidden * directions;
      for (int d = 0; d < directions; d++) {
        String sfx = "_l" + layer + (d == 1 ? "_reverse" : "");
        String[] w = new String[5];
        w[0] = register("weight_ih" + sfx, gateSize, layerInput);
        w[1] = register("weight_hh" + sfx, gateSize, realHidden);
        if (bias) {
          w[2] = register("bias_ih" + sfx, gateSize);
          w[3] = register("bias_hh" + sfx, gateSize);
        }
        if (projSize > 0) w[4] = register("weight_hr" + sfx, projSize, hiddenSize);
        weightNames[layer * directions + d] = w;
      }
    }
    resetParameters();
  }

  private String register(String name, long... shape) {
    registerParameter(name, Tensor.empty(DType.FLOAT32, shape));
    return name;
  }

  /**
   * Each layer and direction's w_ih, w_hh, b_ih, b_hh, w_hr (null where absent) as {@link #tensor} reads them: the
   * parameters, or what parametrizations make of them, computed once per forward.
   */
  private Tensor[][] weights() {
    Tensor[][] out = new Tensor[weightNames.length][5];
    for (int i = 0; i < out.length; i++)
      for (int j = 0; j < 5; j++) out[i][j] = weightNames[i][j] == null ? null : tensor(weightNames[i][j]);
    return out;
  }

  /** Every weight and bias uniform in [-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)], as PyTorch initialises them. */
  public void resetParameters() {
    double k = 1.0 / Math.sqrt(hiddenSize);
    for (Tensor p : parameters()) Init.uniform_(p, -k, k);
  }

  int directions() {
    return bidirectional ? 2 : 1;
  }

  /** The size of the hidden state the layers pass on: projSize when projecting, else hiddenSize. */
  int outputHidden() {
    return projSize > 0 ? projSize : hiddenSize;
  }

  /**
   * Runs the layers over input; h0 and c0 (LSTM only) may be null for zeros. Returns {output, h_n, c_n} in
   * the caller's layout (c_n null unless LSTM).
   */
  final Tensor[] run(Tensor input, Tensor h0, Tensor c0) {
    String name = getClass().getSimpleName();
    if (input.dim() != 2 && input.dim() != 3)
      throw new ShapeException(name + ": Expected input to be 2D or 3D, got " + input.dim() + "D instead");
    boolean batched = input.dim() == 3;
    Tensor x = !batched ? input.unsqueeze(1) : batchFirst ? input.transpose(0, 1) : input; // [seq, batch, feature]
    if (x.size(2) != inputSize)
      throw new ShapeException(name + ": input.size(-1) must be equal to input_size. Expected " + inputSize + ", got " + x.size(2));
    long seq = x.size(0), batch = x.size(1);
    if (seq == 0) throw new ShapeException(name + ": Expected sequence length to be larger than 0 in RNN");
    int directions = directions(), states = numLayers * directions;
    Tensor h = initialState(h0, batched, new long[] {states, batch, outputHidden()}, x, "hidden");
    Tensor c = mode == Mode.LSTM ? initialState(c0, batched, new long[] {states, batch, hiddenSize}, x, "cell") : null;

    Tensor[][] weights = weights();
    List<Tensor> hn = new ArrayList<>(), cn = new ArrayList<>();
    Tensor layerInput = x;
    for (int layer = 0; layer < numLayers; layer++) {
      Tensor[] outputs = new Tensor[directions];
      for (int d = 0; d < directions; d++) {
        int index = layer * directions + d;
        Tensor[] state = {h.select(0, index), c == null ? null : c.select(0, index)};
        outputs[d] = recur(inputGates(layerInput, weights[index]), weights[index], state, d == 1, null);
        hn.add(state[0]);
        if (c != null) cn.add(state[1]);
      }
      Tensor out = directions == 1 ? outputs[0] : Tensor.cat(List.of(outputs[0], outputs[1]), 2);
      if (dropout > 0 && isTraining() && layer < numLayers - 1) out = Dropouts.dropout(out, dropout, true);
      layerInput = out;
    }
    Tensor output = !batched ? layerInput.squeeze(1) : batchFirst ? layerInput.transpose(0, 1) : layerInput;
    Tensor hN = Tensor.stack(hn, 0), cN = c == null ? null : Tensor.stack(cn, 0);
    if (!batched) {
      hN = hN.squeeze(1);
      if (cN != null) cN = cN.squeeze(1);
    }
    return new Tensor[] {output, hN, cN};
  }

  /**
   * Runs the layers over a packed batch, each sequence over its own length: data is the packing's data (or what a
   * forward pre-hook put in its place), h0 and c0 as run's in the caller's batch order. Returns {output data (packed
   * as the input), h_n, c_n} with the states in the caller's batch order.
   */
  final Tensor[] runPacked(PackedSequence packing, Tensor data, Tensor h0, Tensor c0) {
    String name = getClass().getSimpleName();
    if (data.dim() != 2) throw new ShapeException(name + ": input must have 2 dimensions, got " + data.dim());
    if (data.size(1) != inputSize)
      throw new ShapeException(name + ": input.size(-1) must be equal to input_size. Expected " + inputSize + ", got " + data.size(1));
    long[] batchSizes = packing.batchSizeArray();
    long seq = batchSizes.length, batch = batchSizes[0];
    if (data.size(0) != packing.data().size(0))
      throw new ShapeException(name + ": the packed input has " + packing.data().size(0) + " rows, got data of " + data.size(0));
    int directions = directions(), states = numLayers * directions;
    Tensor h = initialState(h0, true, new long[] {states, batch, outputHidden()}, data, "hidden");
    Tensor c = mode == Mode.LSTM ? initialState(c0, true, new long[] {states, batch, hiddenSize}, data, "cell") : null;
    Tensor sorted = packing.sortedIndices(), unsorted = packing.unsortedIndices();
    if (sorted != null) {
      h = h.indexSelect(1, sorted);
      if (c != null) c = c.indexSelect(1, sorted);
    }
    // Each layer's input gates are computed on the packed rows only, then scattered into a [seq, batch, gates]
    // batch whose padding the recurrence never reads; its output is gathered back to packed rows.
    Tensor rows = Tensor.of(RnnUtils.packedRows(batchSizes, batch), data.size(0));
    Tensor[][] weights = weights();
    List<Tensor> hn = new ArrayList<>(), cn = new ArrayList<>();
    Tensor layerInput = data;
    for (int layer = 0; layer < numLayers; layer++) {
      Tensor[] outputs = new Tensor[directions];
      for (int d = 0; d < directions; d++) {
        int index = layer * directions + d;
        Tensor[] state = {h.select(0, index), c == null ? null : c.select(0, index)};
        Tensor gates = inputGates(layerInput, weights[index]);
        Tensor padded = Tensor.zeros(gates.dtype(), seq * batch, gates.size(1)).indexAdd(0, rows, gates)
            .view(seq, batch, gates.size(1));
        Tensor hs = recur(padded, weights[index], state, d == 1, batchSizes);
        outputs[d] = hs.reshape(seq * batch, hs.size(2)).indexSelect(0, rows);
        hn.add(state[0]);
        if (c != null) cn.add(state[1]);
      }
      Tensor out = directions == 1 ? outputs[0] : Tensor.cat(List.of(outputs[0], outputs[1]), 1);
      if (dropout > 0 && isTraining() && layer < numLayers - 1) out = Dropouts.dropout(out, dropout, true);
      layerInput = out;
    }
    Tensor hN = Tensor.stack(hn, 0), cN = c == null ? null : Tensor.stack(cn, 0);
    if (unsorted != null) {
      hN = hN.indexSelect(1, unsorted);
      if (cN != null) cN = cN.indexSelect(1, unsorted);
    }
    return new Tensor[] {layerInput, hN, cN};
  }

  private Tensor initialState(Tensor given, boolean batched, long[] shape, Tensor x, String what) {
    if (given == null) return Tensor.zeros(x.dtype(), shape);
    Tensor s = batched ? given : given.unsqueeze(1);
    if (!Arrays.equals(s.shape(), shape)) {
      long[] expected = batched ? shape : new long[] {shape[0], shape[2]};
      throw new ShapeException(getClass().getSimpleName() + ": Expected " + what + " size " + Arrays.toString(expected) + ", got "
          + Arrays.toString(given.shape()));
    }
    return s;
  }

  /**
   * The input's gate pre-activations x W_ih^T for x [..., feature], with the biases that join them: b_ih, and b_hh
   * where no reset gate sits between (all but GRU): b_hh is then added once over the whole sequence, and each
   * step's gates are one addmm (gx + h W_hh^T) instead of a matmul and two adds.
   */
  private Tensor inputGates(Tensor x, Tensor[] w) {
    Tensor bias = w[2];
    if (mode != Mode.GRU && w[3] != null) bias = bias == null ? w[3] : bias.add(w[3]);
    if (bias != null && x.isContiguous()) {
      // the input's products and the biases as one addmm over every step: one pass, and one sum in backward
      long[] s = x.shape(), out = s.clone();
      out[s.length - 1] = -1;
      return bias.addmm(x.view(x.numel() / s[s.length - 1], s[s.length - 1]), w[0].t()).view(out);
    }
    Tensor gates = x.matmul(w[0].t());
    return bias == null ? gates : gates.add(bias);
  }

  /**
   * The recurrence of one layer in one direction over gatesX [seq, batch, gates]; state holds {h, c} and ends as
   * the final states. batchSizes (null: every row runs every step) is a packed sequence's: step t then runs only
   * the first batchSizes[t] rows and the others carry their states through it, so that going forward each row's
   * final states are those of its own last step, and in reverse each row starts at its own last step.
   */
  private Tensor recur(Tensor gatesX, Tensor[] w, Tensor[] state, boolean reverse, long[] batchSizes) {
    long seq = gatesX.size(0), batch = gatesX.size(1);
    if (mode == Mode.LSTM && w[4] == null && fusedDtypes(gatesX, state[0], state[1], w[1]))
      return lstmLayer(gatesX, w[1], state, reverse, batchSizes);
    if (mode == Mode.GRU && fusedDtypes(gatesX, state[0], w[1]) && (w[3] == null || w[3].dtype() == w[1].dtype())) {
      Tensor bhh = w[3] != null ? w[3] : Tensor.zeros(w[1].dtype(), w[1].size(0));
      return gruLayer(gatesX, w[1], bhh, state, reverse, batchSizes);
    }
    Tensor whhT = w[1].t(), whrT = w[4] == null ? null : w[4].t();
    // One unbind, not a select per step: select's backward spreads each step's gradient over the whole
    // [seq, batch, gates] tensor (quadratic in seq), unbind's stacks them all at once.
    List<Tensor> gatesPerStep = gatesX.unbind(0);
    Tensor[] outputs = new Tensor[(int) seq];
    for (int s = 0; s < seq; s++) {
      int t = reverse ? (int) seq - 1 - s : s;
      Tensor gx = gatesPerStep.get(t);
      Tensor[] before = state.clone();
      if (mode != Mode.GRU) {
        step(mode, gx.addmm(state[0], whhT), null, state, whrT);
      } else {
        Tensor gh = state[0].matmul(whhT);
        if (w[3] != null) gh = gh.add(w[3]);
        step(mode, gx, gh, state, whrT);
      }
      long active = batchSizes == null ? batch : batchSizes[t];
      if (active < batch)
        for (int k = 0; k < state.length; k++)
          if (state[k] != null)
            state[k] = Tensor.cat(List.of(state[k].narrow(0, 0, active), before[k].narrow(0, active, batch - active)), 0);
      outputs[t] = state[0];
    }
    return Tensor.stack(Arrays.asList(outputs), 0);
  }

  /** Whether the native fused LSTM kernels take these: one dtype, float32 or float64. */
  private static boolean fusedDtypes(Tensor... tensors) {
    DType t = tensors[0].dtype();
    if (t != DType.FLOAT32 && t != DType.FLOAT64) return false;
    for (Tensor x : tensors) if (x.dtype() != t) return false;
    return true;
  }

  /**
   * An LSTM layer without projection as the native fused_lstm_layer: the recurrence (each step's hidden product
   * and cell) in one op forward and one backward through time, where W_hh's gradient is one product over all
   * steps instead of one per step and their sum. Returns every step's h; state ends as the last step's h and c.
   */
  private static Tensor lstmLayer(Tensor gatesX, Tensor whh, Tensor[] state, boolean reverse, long[] batchSizes) {
    long seq = gatesX.size(0);
    long[] frame = Frame.of(new long[] {gatesX.handle(), state[0].handle(), state[1].handle(), whh.handle()},
        layerInts(reverse, batchSizes));
    long[] out = Core.call(FUSED_LSTM_LAYER, frame, 3);
    Tensor hs = Tensor.adopt(out[0]), cs = Tensor.adopt(out[1]);
    Tensor.adopt(out[2]).close(); // the gates' activations: backward keeps its own reference
    int last = reverse ? 0 : (int) seq - 1;
    state[0] = hs.select(0, last);
    state[1] = cs.select(0, last);
    return hs;
  }

  /**
   * A GRU layer as the native fused_gru_layer (the recurrence in one op forward and one backward, as lstmLayer).
   * gatesX holds x W_ih^T + b_ih; b_hh stays inside, where the reset gate multiplies its n block. Returns every
   * step's h; state[0] ends as the last.
   */
  private static Tensor gruLayer(Tensor gatesX, Tensor whh, Tensor bhh, Tensor[] state, boolean reverse,
      long[] batchSizes) {
    long seq = gatesX.size(0);
    long[] frame = Frame.of(new long[] {gatesX.handle(), state[0].handle(), whh.handle(), bhh.handle()},
        layerInts(reverse, batchSizes));
    long[] out = Core.call(FUSED_GRU_LAYER, frame, 2);
    Tensor hs = Tensor.adopt(out[0]);
    Tensor.adopt(out[1]).close(); // the workspace: backward keeps its own reference
    state[0] = hs.select(0, reverse ? 0 : (int) seq - 1);
    return hs;
  }

  /** The fused layers' ints: reverse, then a packed sequence's batch sizes (none: every row runs every step). */
  private static long[] layerInts(boolean reverse, long[] batchSizes) {
    int n = batchSizes == null ? 0 : batchSizes.length;
    long[] ints = new long[1 + n];
    ints[0] = reverse ? 1 : 0;
    if (n > 0) System.arraycopy(batchSizes, 0, ints, 1, n);
    return ints;
  }

  /**
   * One time step of a cell: gx and gh are the input's and the hidden state's gate pre-activations (biases
   * added; gh null when gx already holds their sum, as GRU's never does); state holds {h, c} (c for LSTM) and is
   * replaced by the new states.
   */
  static void step(Mode mode, Tensor gx, Tensor gh, Tensor[] state, Tensor whrT) {
    switch (mode) {
      case RNN_TANH -> state[0] = (gh == null ? gx : gx.add(gh)).tanh();
      case RNN_RELU -> state[0] = (gh == null ? gx : gx.add(gh)).relu();
      case LSTM -> {
        Tensor h = lstmCell(gh == null ? gx : gx.add(gh), state);
        state[0] = whrT == null ? h : h.matmul(whrT);
      }
      case GRU -> {
        List<Tensor> x3 = gx.chunk(3, -1), h3 = gh.chunk(3, -1);
        Tensor r = x3.get(0).add(h3.get(0)).sigmoid();
        Tensor z = x3.get(1).add(h3.get(1)).sigmoid();
        Tensor candidate = x3.get(2).add(r.mul(h3.get(2))).tanh();
        state[0] = candidate.add(z.mul(state[0].sub(candidate))); // (1 - z) * n + z * h
      }
    }
  }

  /**
   * The LSTM cell after its products: c = sigmoid(f) c + sigmoid(i) tanh(g), h = sigmoid(o) tanh(c) from the gates'
   * pre-activations [i, f, g, o]. Sets state[1] to c and returns h. float32 and float64 take the native
   * fused_lstm_cell (one op forward and one backward instead of ~9 and ~25); other dtypes the same ops one by one.
   */
  static Tensor lstmCell(Tensor gates, Tensor[] state) {
    Tensor c = state[1];
    if (fusedDtypes(gates, c)) {
      long[] out = Core.call(FUSED_LSTM_CELL, Frame.tensors(gates.handle(), c.handle()), 2);
      Tensor h = Tensor.adopt(out[0]);
      state[1] = Tensor.adopt(out[1]);
      return h;
    }
    List<Tensor> q = gates.chunk(4, -1); // one cat in backward, not four slices
    Tensor i = q.get(0).sigmoid(), f = q.get(1).sigmoid(), g = q.get(2).tanh(), o = q.get(3).sigmoid();
    state[1] = f.mul(c).add(i.mul(g));
    return o.mul(state[1].tanh());
  }

  @Override
  protected String extraRepr() {
    StringBuilder s = new StringBuilder(inputSize + ", " + hiddenSize);
    if (projSize != 0) s.append(", proj_size=").append(projSize);
    if (numLayers != 1) s.append(", num_layers=").append(numLayers);
    if (!bias) s.append(", bias=False");
    if (batchFirst) s.append(", batch_first=True");
    if (dropout != 0) s.append(", dropout=").append(PyRepr.num(dropout));
    if (bidirectional) s.append(", bidirectional=True");
    return s.toString();
  }
}
