package dev.kiln.parity;

import dev.kiln.Tensor;
import dev.kiln.nn.MultiheadAttention;
import java.util.ArrayList;
import java.util.List;

/** Attention layers for modules_attention.json. */
final class AttentionModuleMakers {
  private AttentionModuleMakers() {}

  static void register() {
    ModuleMakers.maker("MultiheadAttention", a -> {
      MultiheadAttention.Options o = new MultiheadAttention.Options().dropout(a.real("dropout", 0)).bias(a.bool("bias", true))
          .addBiasKv(a.bool("add_bias_kv", false)).addZeroAttn(a.bool("add_zero_attn", false)).batchFirst(a.bool("batch_first", false));
      if (a.json().has("kdim")) o.kdim(a.integer("kdim", 0));
      if (a.json().has("vdim")) o.vdim(a.integer("vdim", 0));
      return new MultiheadAttention(a.integer("embed_dim", 0), a.integer("num_heads", 0), o);
    });
    ModuleMakers.call("MultiheadAttention", (ModuleMakers.ModuleCall) (m, in, fwd) -> {
      Tensor padding = fwd.json().has("key_padding_mask") ? in.get(fwd.integer("key_padding_mask", 0)) : null;
      Tensor mask = fwd.json().has("attn_mask") ? in.get(fwd.integer("attn_mask", 0)) : null;
      MultiheadAttention.Output o = ((MultiheadAttention) m).forward(in.get(0), in.get(1), in.get(2), padding,
          fwd.bool("need_weights", true), mask, fwd.bool("average_attn_weights", true));
      List<Tensor> out = new ArrayList<>(List.of(o.output()));
      if (o.weights() != null) out.add(o.weights());
      return out;
    });
  }
}
