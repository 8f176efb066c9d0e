package dev.kiln.io;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import dev.kiln.Tensor;
import dev.kiln.nn.Module;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.scheduler.Scheduler;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training checkpoint in one safetensors file: the model's state dict under "model.", the optimizer's
 * state tensors under "optimizer.state.<index>.", and in the metadata the epoch, the optimizer's other
 * state and parameter groups, and the scheduler's state (JSON). PyTorch reads the model weights with any
 * safetensors reader (strip the "model." prefix).
 *
 * <pre>{@code
 * Checkpoint.save(path, model, optimizer, scheduler, epoch);
 * int epoch = Checkpoint.load(path, model, optimizer, scheduler);  // resume
 * }</pre>
 */
public final class Checkpoint {
  private Checkpoint() {}

  // Infinity and NaN as JavaScript writes them (a plateau scheduler's best starts at inf); Gson reads them back.
  private static final Gson GSON = new com.google.gson.GsonBuilder().serializeSpecialFloatingPointValues().create();
  private static final String TENSOR_LIST = "tensor_list";
  private static final Type MAP = new TypeToken<Map<String, Object>>() {}.getType();

  /** optimizer and scheduler may be null. */
  public static void save(Path path, Module model, Optimizer optimizer, Scheduler scheduler, int epoch) throws IOException {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    model.stateDict().forEach((k, v) -> tensors.put("model." + k, v));
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "kiln-checkpoint");
    meta.put("epoch", Integer.toString(epoch));
    if (optimizer != null) {
      Map<String, Object> state = optimizer.stateDict();
      Map<String, Object> rest = new LinkedHashMap<>();
      @SuppressWarnings("unchecked")
      Map<String, Map<String, Object>> perParam = (Map<String, Map<String, Object>>) state.get("state");
      for (Map.Entry<String, Map<String, Object>> p : perParam.entrySet()) {
        Map<String, Object> scalars = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : p.getValue().entrySet()) {
          String key = "optimizer.state." + p.getKey() + "." + e.getKey();
          if (e.getValue() instanceof Tensor t) {
            tensors.put(key, t);
          } else if (e.getValue() instanceof java.util.List<?> list && !list.isEmpty() && list.get(0) instanceof Tensor) {
            // A list of tensors (LBFGS's history): each under key.i, its length among the scalars.
            for (int i = 0; i < list.size(); i++) tensors.put(key + "." + i, (Tensor) list.get(i));
            scalars.put(e.getKey(), Map.of(TENSOR_LIST, list.size()));
          } else {
            scalars.put(e.getKey(), e.getValue());
          }
        }
        rest.put(p.getKey(), scalars);
      }
      meta.put("optimizer.state", GSON.toJson(rest));
      meta.put("optimizer.param_groups", GSON.toJson(state.get("param_groups")));
    }
    if (scheduler != null) meta.put("scheduler", GSON.toJson(scheduler.stateDict()));
    SafeTensors.save(tensors, path, meta);
  }

  /** Restores what save wrote into the given objects (optimizer and scheduler may be null); returns the epoch. */
  public static int load(Path path, Module model, Optimizer optimizer, Scheduler scheduler) throws IOException {
    SafeTensors.Contents c = SafeTensors.read(path);
    if (!"kiln-checkpoint".equals(c.metadata().get("format"))) throw new IOException(path + ": not a Kiln checkpoint");
    Map<String, Tensor> modelState = new LinkedHashMap<>();
    Map<String, Map<String, Object>> optimizerState = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : c.tensors().entrySet()) {
      String key = e.getKey();
      if (key.startsWith("model.")) {
        modelState.put(key.substring("model.".length()), e.getValue());
      } else if (key.startsWith("optimizer.state.")) {
        String rest = key.substring("optimizer.state.".length());
        int dot = rest.indexOf('.');
        optimizerState.computeIfAbsent(rest.substring(0, dot), k -> new LinkedHashMap<>()).put(rest.substring(dot + 1), e.getValue());
      }
    }
    model.loadStateDict(modelState);
    if (optimizer != null) {
      String scalars = c.metadata().get("optimizer.state"), groups = c.metadata().get("optimizer.param_groups");
      if (scalars == null || groups == null) throw new IOException(path + ": the checkpoint has no optimizer state");
      Map<String, Object> scalarState = GSON.fromJson(scalars, MAP);
      for (Map.Entry<String, Object> e : scalarState.entrySet()) {
        @SuppressWarnings("unchecked")
        Map<String, Object> values = (Map<String, Object>) e.getValue();
        Map<String, Object> target = optimizerState.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>());
        for (Map.Entry<String, Object> v : values.entrySet()) {
          if (v.getValue() instanceof Map<?, ?> m && m.get(TENSOR_LIST) instanceof Number n) {
            java.util.List<Object> list = new java.util.ArrayList<>();
            for (int i = 0; i < n.intValue(); i++) list.add(target.remove(v.getKey() + "." + i));
            target.put(v.getKey(), list);
          } else {
            target.put(v.getKey(), v.getValue());
          }
        }
      }
      Map<String, Object> state = new LinkedHashMap<>();
      state.put("state", new LinkedHashMap<String, Object>(optimizerState));
      state.put("param_groups", GSON.fromJson(groups, new TypeToken<java.util.List<Map<String, Object>>>() {}.getType()));
      optimizer.loadStateDict(state);
    }
    if (scheduler != null) {
      String s = c.metadata().get("scheduler");
      if (s == null) throw new IOException(path + ": the checkpoint has no scheduler state");
      scheduler.loadStateDict(GSON.fromJson(s, MAP));
    }
    return Integer.parseInt(c.metadata().get("epoch"));
  }
}
