package dev.kiln.parity;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kiln.Tensor;
import dev.kiln.nn.*;
import dev.kiln.nn.Module;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The Java constructor of each torch.nn class in modules.json, from PyTorch's keyword arguments (absent
 * ones take PyTorch's defaults), and how to call it when its forward takes more than one tensor.
 */
final class ModuleMakers {
  private ModuleMakers() {}

  /** PyTorch's keyword arguments of one case. */
  record Kwargs(JsonObject json) {
    double real(String name, double otherwise) {
      return json.has(name) ? json.get(name).getAsDouble() : otherwise;
    }

    int integer(String name, int otherwise) {
      return json.has(name) ? json.get(name).getAsInt() : otherwise;
    }

    boolean bool(String name, boolean otherwise) {
      return json.has(name) ? json.get(name).getAsBoolean() : otherwise;
    }

    String text(String name, String otherwise) {
      return json.has(name) ? json.get(name).getAsString() : otherwise;
    }

    long[] longs(String name) {
      JsonElement e = json.get(name);
      if (e.isJsonPrimitive()) return new long[] {e.getAsLong()};
      long[] out = new long[e.getAsJsonArray().size()];
      for (int i = 0; i < out.length; i++) out[i] = e.getAsJsonArray().get(i).getAsLong();
      return out;
    }
  }

  private static final Map<String, Function<Kwargs, Module>> MAKERS = new HashMap<>();
  private static final Map<String, ModuleCall> CALLS = new HashMap<>();

  /** How a module with its own forward signature is called: its inputs, and the case's "forward" arguments. */
  interface ModuleCall {
    List<Tensor> apply(Module m, List<Tensor> inputs, Kwargs forward);
  }

  /** Registers the constructor of nn.cls (families of layers register theirs from their own class). */
  static void maker(String cls, Function<Kwargs, Module> maker) {
    if (MAKERS.put(cls, maker) != null) throw new IllegalStateException("two makers for nn." + cls);
  }

  /** Registers how to call nn.cls when its forward is not one tensor in, one tensor out. */
  static void call(String cls, BiFunction<Module, List<Tensor>, List<Tensor>> call) {
    CALLS.put(cls, (m, in, fwd) -> call.apply(m, in));
  }

  /** The same for forwards with keyword arguments (which inputs are masks, flags). */
  static void call(String cls, ModuleCall call) {
    CALLS.put(cls, call);
  }

  static {
    maker("ReLU", a -> new ReLU());
    maker("Sigmoid", a -> new Sigmoid());
    maker("Tanh", a -> new Tanh());
    maker("GELU", a -> new GELU(a.text("approximate", "none")));
    maker("SiLU", a -> new SiLU());
    maker("Mish", a -> new Mish());
    maker("LeakyReLU", a -> new LeakyReLU(a.real("negative_slope", 0.01)));
    maker("ELU", a -> new ELU(a.real("alpha", 1.0)));
    maker("CELU", a -> new CELU(a.real("alpha", 1.0)));
    maker("SELU", a -> new SELU());
    maker("Hardtanh", a -> new Hardtanh(a.real("min_val", -1.0), a.real("max_val", 1.0)));
    maker("ReLU6", a -> new ReLU6());
    maker("Hardsigmoid", a -> new Hardsigmoid());
    maker("Hardswish", a -> new Hardswish());
    maker("Softplus", a -> new Softplus(a.real("beta", 1.0), a.real("threshold", 20.0)));
    maker("Softsign", a -> new Softsign());
    maker("LogSigmoid", a -> new LogSigmoid());
    maker("GLU", a -> new GLU(a.integer("dim", -1)));
    maker("PReLU", a -> new PReLU(a.integer("num_parameters", 1), a.real("init", 0.25)));
    maker("Identity", a -> new Identity());
    maker("Flatten", a -> new Flatten(a.integer("start_dim", 1), a.integer("end_dim", -1)));
    maker("Unflatten", a -> new Unflatten(a.integer("dim", 0), a.longs("unflattened_size")));
    maker("Softmax", a -> new Softmax(a.integer("dim", 0)));
    maker("LogSoftmax", a -> new LogSoftmax(a.integer("dim", 0)));
    maker("Softmin", a -> new Softmin(a.integer("dim", 0)));
    maker("Softmax2d", a -> new Softmax2d());
    RecurrentModuleMakers.register();
    ConvModuleMakers.register();
    AttentionModuleMakers.register();
    maker("Linear", a -> new Linear(a.integer("in_features", 0), a.integer("out_features", 0), a.bool("bias", true)));
    NormModuleMakers.register();
    LossModuleMakers.register();
    ExtraModuleMakers.register();
    TransformerModuleMakers.register();
  }

  static Module make(String cls, JsonObject kwargs) {
    Function<Kwargs, Module> maker = MAKERS.get(cls);
    if (maker == null) throw new IllegalArgumentException("no Java maker for nn." + cls + " (add it to ModuleMakers)");
    return maker.apply(new Kwargs(kwargs));
  }

  /** Runs the module on its inputs; the outputs flattened in order, as the fixture lists them. */
  static List<Tensor> call(String cls, Module m, List<Tensor> inputs, JsonObject forward) {
    ModuleCall call = CALLS.get(cls);
    return call != null ? call.apply(m, inputs, new Kwargs(forward)) : List.of(m.call(inputs.get(0)));
  }

  static java.util.Set<String> classes() {
    return MAKERS.keySet();
  }
}
