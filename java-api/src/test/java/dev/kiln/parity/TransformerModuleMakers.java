package dev.kiln.parity;

import com.google.gson.JsonObject;
import dev.kiln.Tensor;
import dev.kiln.nn.LayerNorm;
import dev.kiln.nn.Module;
import dev.kiln.nn.Transformer;
import dev.kiln.nn.TransformerDecoder;
import dev.kiln.nn.TransformerDecoderLayer;
import dev.kiln.nn.TransformerEncoder;
import dev.kiln.nn.TransformerEncoderLayer;
import dev.kiln.nn.TransformerLayerOptions;
import java.util.List;

/**
 * The Transformer family for modules_transformer.json: layers from PyTorch's keyword arguments, stacks from their
 * layer's ("layer", "num_layers", "norm"), and forwards whose masks the case's "forward" names by input index.
 */
final class TransformerModuleMakers {
  private TransformerModuleMakers() {}

  static void register() {
    ModuleMakers.maker("TransformerEncoderLayer", a -> encoderLayer(a));
    ModuleMakers.maker("TransformerDecoderLayer", a -> decoderLayer(a));
    ModuleMakers.maker("TransformerEncoder", a -> new TransformerEncoder(encoderLayer(layer(a)),
        a.integer("num_layers", 0), finalNorm(a)));
    ModuleMakers.maker("TransformerDecoder", a -> new TransformerDecoder(decoderLayer(layer(a)),
        a.integer("num_layers", 0), finalNorm(a)));
    ModuleMakers.maker("Transformer", a -> new Transformer(a.integer("d_model", 512), a.integer("nhead", 8),
        a.integer("num_encoder_layers", 6), a.integer("num_decoder_layers", 6), options(a)));

    ModuleMakers.call("TransformerEncoderLayer", (ModuleMakers.ModuleCall) (m, in, f) -> List.of(
        ((TransformerEncoderLayer) m).forward(in.get(0), mask(in, f, "src_mask"),
            mask(in, f, "src_key_padding_mask"))));
    ModuleMakers.call("TransformerEncoder", (ModuleMakers.ModuleCall) (m, in, f) -> List.of(
        ((TransformerEncoder) m).forward(in.get(0), mask(in, f, "mask"), mask(in, f, "src_key_padding_mask"))));
    ModuleMakers.call("TransformerDecoderLayer", (ModuleMakers.ModuleCall) (m, in, f) -> List.of(
        ((TransformerDecoderLayer) m).forward(in.get(0), in.get(1), mask(in, f, "tgt_mask"),
            mask(in, f, "memory_mask"),
            mask(in, f, "tgt_key_padding_mask"), mask(in, f, "memory_key_padding_mask"))));
    ModuleMakers.call("TransformerDecoder", (ModuleMakers.ModuleCall) (m, in, f) -> List.of(
        ((TransformerDecoder) m).forward(in.get(0), in.get(1), mask(in, f, "tgt_mask"), mask(in, f, "memory_mask"),
            mask(in, f, "tgt_key_padding_mask"), mask(in, f, "memory_key_padding_mask"))));
    ModuleMakers.call("Transformer", (ModuleMakers.ModuleCall) (m, in, f) -> List.of(
        ((Transformer) m).forward(in.get(0), in.get(1), mask(in, f, "src_mask"), mask(in, f, "tgt_mask"),
            mask(in, f, "memory_mask"), mask(in, f, "src_key_padding_mask"), mask(in, f, "tgt_key_padding_mask"),
            mask(in, f, "memory_key_padding_mask"))));
  }

  private static TransformerLayerOptions options(ModuleMakers.Kwargs a) {
    return new TransformerLayerOptions().dimFeedforward(a.integer("dim_feedforward", 2048))
        .dropout(a.real("dropout", 0.1)).activation(a.text("activation", "relu"))
        .layerNormEps(a.real("layer_norm_eps", 1e-5)).batchFirst(a.bool("batch_first", false))
        .normFirst(a.bool("norm_first", false));
  }

  private static TransformerEncoderLayer encoderLayer(ModuleMakers.Kwargs a) {
    return new TransformerEncoderLayer(a.integer("d_model", 0), a.integer("nhead", 0), options(a));
  }

  private static TransformerDecoderLayer decoderLayer(ModuleMakers.Kwargs a) {
    return new TransformerDecoderLayer(a.integer("d_model", 0), a.integer("nhead", 0), options(a));
  }

  private static ModuleMakers.Kwargs layer(ModuleMakers.Kwargs a) {
    return new ModuleMakers.Kwargs(a.json().getAsJsonObject("layer"));
  }

  private static Module finalNorm(ModuleMakers.Kwargs a) {
    if (!a.bool("norm", false)) return null;
    JsonObject layer = a.json().getAsJsonObject("layer");
    double eps = layer.has("layer_norm_eps") ? layer.get("layer_norm_eps").getAsDouble() : 1e-5;
    return new LayerNorm(new long[] {layer.get("d_model").getAsLong()}, eps, true);
  }

  private static Tensor mask(List<Tensor> inputs, ModuleMakers.Kwargs forward, String name) {
    return forward.json().has(name) ? inputs.get(forward.integer(name, 0)) : null;
  }
}
