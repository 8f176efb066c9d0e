package dev.kiln.nn;

import dev.kiln.IndexException;
import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parameters by name, registered under their keys so that optimizers and state dicts find them
 * (torch.nn.ParameterDict). Keys keep the order they were first put in; PyTorch sorts the keys of a plain dict
 * given to its constructor, so pass a sorted map (a TreeMap) for the same order. Tensors put in become
 * parameters: they require grad from then on.
 *
 * <pre>{@code
 * ParameterDict p = new ParameterDict().put("scale", Tensor.ones(4)).put("shift", Tensor.zeros(4));
 * Tensor y = x.mul(p.get("scale")).add(p.get("shift"));
 * }</pre>
 */
public class ParameterDict extends Module {
  public ParameterDict() {}

  public ParameterDict(Map<String, Tensor> parameters) {
    for (Map.Entry<String, Tensor> e : parameters.entrySet()) put(e.getKey(), e.getValue());
  }

  /** Adds a parameter under key, or replaces the one there (the key keeps its place). */
  public ParameterDict put(String key, Tensor parameter) {
    if (parameter == null) throw new IllegalArgumentException("ParameterDict: cannot hold a null parameter");
    registerParameter(key, parameter);
    return this;
  }

  public Tensor get(String key) {
    Tensor p = namedParameters().get(key);
    if (p == null) throw new IndexException("ParameterDict: no parameter with key '" + key + "' (keys " + keys() + ")");
    return p;
  }

  public boolean containsKey(String key) {
    return namedParameters().containsKey(key);
  }

  public Set<String> keys() {
    return namedParameters().keySet();
  }

  public Collection<Tensor> values() {
    return namedParameters().values();
  }

  public int size() {
    return namedParameters().size();
  }

  /** One line per parameter, as PyTorch's: "(key): Parameter containing: [torch.FloatTensor of size 2x3]". */
  @Override
  protected String extraRepr() {
    List<String> lines = new ArrayList<>();
    for (Map.Entry<String, Tensor> e : namedParameters().entrySet())
      lines.add("  (" + e.getKey() + "): Parameter containing: [torch." + typeName(e.getValue()) + " of size "
          + ParameterList.size(e.getValue()) + "]");
    return String.join("\n", lines);
  }

  /** torch.typename of a CPU tensor of this dtype. */
  private static String typeName(Tensor p) {
    return switch (p.dtype()) {
      case FLOAT32 -> "FloatTensor";
      case FLOAT64 -> "DoubleTensor";
      case FLOAT16 -> "HalfTensor";
      case BFLOAT16 -> "BFloat16Tensor";
      case INT64 -> "LongTensor";
      case INT32 -> "IntTensor";
      case INT16 -> "ShortTensor";
      case INT8 -> "CharTensor";
      case UINT8 -> "ByteTensor";
      case BOOL -> "BoolTensor";
    };
  }
}
