package dev.kiln.parity;

import dev.kiln.Tensor;
import dev.kiln.nn.GRU;
import dev.kiln.nn.GRUCell;
import dev.kiln.nn.LSTM;
import dev.kiln.nn.LSTMCell;
import dev.kiln.nn.RNN;
import dev.kiln.nn.RNNCell;
import dev.kiln.nn.Module;
import dev.kiln.nn.RNNBase;
import dev.kiln.nn.RNNOptions;
import dev.kiln.nn.utils.PackedSequence;
import dev.kiln.nn.utils.RnnUtils;
import java.util.ArrayList;
import java.util.List;

/** RNN, LSTM and GRU for modules_rnn.json: options from PyTorch's keywords, outputs flattened as (output, h_n[, c_n]). */
final class RecurrentModuleMakers {
  private RecurrentModuleMakers() {}

  static RNNOptions options(ModuleMakers.Kwargs a) {
    return RNNOptions.of(a.integer("input_size", 0), a.integer("hidden_size", 0))
        .numLayers(a.integer("num_layers", 1)).bias(a.bool("bias", true)).batchFirst(a.bool("batch_first", false))
        .dropout(a.real("dropout", 0)).bidirectional(a.bool("bidirectional", false))
        .nonlinearity(a.text("nonlinearity", "tanh")).projSize(a.integer("proj_size", 0));
  }

  /** The cases' packed batches: inputs (padded input, lengths, states...), packed as pack_padded_sequence. */
  private static PackedSequence pack(Module m, List<Tensor> in, ModuleMakers.Kwargs fwd) {
    return RnnUtils.packPaddedSequence(in.get(0), in.get(1), ((RNNBase) m).batchFirst, fwd.bool("enforce_sorted", true));
  }

  private static Tensor unpack(Module m, PackedSequence output) {
    return RnnUtils.padPackedSequence(output, ((RNNBase) m).batchFirst).padded();
  }

  static void register() {
    ModuleMakers.maker("RNN", a -> new RNN(options(a)));
    ModuleMakers.maker("LSTM", a -> new LSTM(options(a)));
    ModuleMakers.maker("GRU", a -> new GRU(options(a)));
    ModuleMakers.maker("RNNCell", a -> new RNNCell(a.integer("input_size", 0), a.integer("hidden_size", 0), a.bool("bias", true),
        a.text("nonlinearity", "tanh")));
    ModuleMakers.maker("LSTMCell", a -> new LSTMCell(a.integer("input_size", 0), a.integer("hidden_size", 0), a.bool("bias", true)));
    ModuleMakers.maker("GRUCell", a -> new GRUCell(a.integer("input_size", 0), a.integer("hidden_size", 0), a.bool("bias", true)));
    ModuleMakers.call("RNNCell", (m, in) -> List.of(((RNNCell) m).forward(in.get(0), in.size() > 1 ? in.get(1) : null)));
    ModuleMakers.call("GRUCell", (m, in) -> List.of(((GRUCell) m).forward(in.get(0), in.size() > 1 ? in.get(1) : null)));
    ModuleMakers.call("LSTMCell", (m, in) -> {
      LSTMCell.State s = in.size() > 1 ? ((LSTMCell) m).forward(in.get(0), in.get(1), in.get(2)) : ((LSTMCell) m).forward(in.get(0), null, null);
      return List.of(s.h(), s.c());
    });
    ModuleMakers.call("RNN", (m, in, fwd) -> {
      if (fwd.bool("packed", false)) {
        RNN.PackedOutput o = ((RNN) m).forward(pack(m, in, fwd), in.size() > 2 ? in.get(2) : null);
        return List.of(unpack(m, o.output()), o.hN());
      }
      RNN.Output o = ((RNN) m).forward(in.get(0), in.size() > 1 ? in.get(1) : null);
      return List.of(o.output(), o.hN());
    });
    ModuleMakers.call("GRU", (m, in, fwd) -> {
      if (fwd.bool("packed", false)) {
        GRU.PackedOutput o = ((GRU) m).forward(pack(m, in, fwd), in.size() > 2 ? in.get(2) : null);
        return List.of(unpack(m, o.output()), o.hN());
      }
      GRU.Output o = ((GRU) m).forward(in.get(0), in.size() > 1 ? in.get(1) : null);
      return List.of(o.output(), o.hN());
    });
    ModuleMakers.call("LSTM", (m, in, fwd) -> {
      if (fwd.bool("packed", false)) {
        boolean states = in.size() > 2;
        LSTM.PackedOutput o = ((LSTM) m).forward(pack(m, in, fwd), states ? in.get(2) : null, states ? in.get(3) : null);
        return List.of(unpack(m, o.output()), o.hN(), o.cN());
      }
      LSTM.Output o = in.size() > 1 ? ((LSTM) m).forward(in.get(0), in.get(1), in.get(2)) : ((LSTM) m).forward(in.get(0), null, null);
      List<Tensor> out = new ArrayList<>(List.of(o.output(), o.hN(), o.cN()));
      return out;
    });
  }
}
