package dev.kiln.parity;

import com.google.gson.JsonElement;
import dev.kiln.Tensor;
import dev.kiln.nn.*;
import dev.kiln.nn.Module;
import dev.kiln.nn.functional.Reduction;
import java.util.Arrays;
import java.util.List;

/**
 * The Java constructors of the loss modules in modules_losses.json (tools/fixtures/cases_modules_losses.py) from
 * PyTorch's keyword arguments, and their calls with two or three tensors. Class weights arrive as tensors.
 */
final class LossModuleMakers {
  private LossModuleMakers() {}

  private static Reduction reduction(ModuleMakers.Kwargs a) {
    return Reduction.of(a.text("reduction", "mean"));
  }

  private static Tensor tensor(ModuleMakers.Kwargs a, String name) {
    JsonElement e = a.json().get(name);
    return e == null || e.isJsonNull() ? null : Fixtures.tensorOf(Fixtures.spec(e.getAsJsonObject()));
  }

  static void register() {
    two("L1Loss", a -> new L1Loss(reduction(a)));
    two("MSELoss", a -> new MSELoss(reduction(a)));
    two("SmoothL1Loss", a -> new SmoothL1Loss(reduction(a), a.real("beta", 1.0)));
    two("HuberLoss", a -> new HuberLoss(reduction(a), a.real("delta", 1.0)));
    two("SoftMarginLoss", a -> new SoftMarginLoss(reduction(a)));
    two("CrossEntropyLoss", a -> new CrossEntropyLoss(tensor(a, "weight"), a.integer("ignore_index", -100),
        reduction(a), a.real("label_smoothing", 0.0)));
    two("NLLLoss", a -> new NLLLoss(tensor(a, "weight"), a.integer("ignore_index", -100), reduction(a)));
    two("BCELoss", a -> new BCELoss(tensor(a, "weight"), reduction(a)));
    two("BCEWithLogitsLoss", a -> new BCEWithLogitsLoss(tensor(a, "weight"), reduction(a), tensor(a, "pos_weight")));
    two("MultiLabelSoftMarginLoss", a -> new MultiLabelSoftMarginLoss(tensor(a, "weight"), reduction(a)));
    two("KLDivLoss", a -> new KLDivLoss(reduction(a), a.bool("log_target", false)));
    two("HingeEmbeddingLoss", a -> new HingeEmbeddingLoss(a.real("margin", 1.0), reduction(a)));
    two("PoissonNLLLoss", a -> new PoissonNLLLoss(a.bool("log_input", true), a.bool("full", false), a.real("eps", 1e-8),
        reduction(a)));
    three("MarginRankingLoss", a -> new MarginRankingLoss(a.real("margin", 0.0), reduction(a)));
    three("CosineEmbeddingLoss", a -> new CosineEmbeddingLoss(a.real("margin", 0.0), reduction(a)));
    three("TripletMarginLoss", a -> new TripletMarginLoss(a.real("margin", 1.0), a.real("p", 2.0), a.real("eps", 1e-6),
        a.bool("swap", false), reduction(a)));
    two("MultiMarginLoss", a -> new MultiMarginLoss(a.integer("p", 1), a.real("margin", 1.0), tensor(a, "weight"),
        reduction(a)));
    two("MultiLabelMarginLoss", a -> new MultiLabelMarginLoss(reduction(a)));
    three("TripletMarginWithDistanceLoss", a -> new TripletMarginWithDistanceLoss(null, a.real("margin", 1.0),
        a.bool("swap", false), reduction(a)));
    // Called on logSoftmax of the logits, as cases_modules_losses.py's ctc_call.
    ModuleMakers.maker("CTCLoss", a -> new CTCLoss(a.integer("blank", 0), reduction(a), a.bool("zero_infinity", false)));
    ModuleMakers.call("CTCLoss", (m, in) -> List.of(((CTCLoss) m).call(in.get(0).logSoftmax(2), in.get(1), in.get(2),
        in.get(3))));
    three("GaussianNLLLoss", a -> new GaussianNLLLoss(a.bool("full", false), a.real("eps", 1e-6), reduction(a)));
    ModuleMakers.maker("AdaptiveLogSoftmaxWithLoss", a -> new AdaptiveLogSoftmaxWithLoss(a.integer("in_features", 0),
        a.integer("n_classes", 0), Arrays.stream(a.longs("cutoffs")).mapToInt(v -> (int) v).toArray(),
        a.real("div_value", 4.0), a.bool("head_bias", false)));
    ModuleMakers.call("AdaptiveLogSoftmaxWithLoss", (m, in) -> {
      AdaptiveLogSoftmaxWithLoss.Output out = ((AdaptiveLogSoftmaxWithLoss) m).call(in.get(0), in.get(1));
      return List.of(out.output(), out.loss());
    });
  }

  private static void two(String cls, java.util.function.Function<ModuleMakers.Kwargs, Module> maker) {
    ModuleMakers.maker(cls, maker);
    ModuleMakers.call(cls, (m, in) -> List.of(((Loss) m).call(in.get(0), in.get(1))));
  }

  private static void three(String cls, java.util.function.Function<ModuleMakers.Kwargs, Module> maker) {
    ModuleMakers.maker(cls, maker);
    ModuleMakers.call(cls, (m, in) -> List.of(((Loss) m).call(in.get(0), in.get(1), in.get(2))));
  }
}
