package dev.kiln.optim;

import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters optimized together with their options (PyTorch's param_groups entries): per-group learning
 * rate, weight decay and so on, under PyTorch's option names ("lr", "weight_decay", "betas", ...).
 */
public final class ParamGroup {
  private final List<Tensor> params;
  private final Map<String, Object> options = new LinkedHashMap<>();

  public ParamGroup(Iterable<Tensor> params) {
    List<Tensor> list = new ArrayList<>();
    for (Tensor p : params) list.add(p);
    this.params = Collections.unmodifiableList(list);
  }

  public ParamGroup(Iterable<Tensor> params, Map<String, ?> options) {
    this(params);
    this.options.putAll(options);
  }

  public List<Tensor> params() {
    return params;
  }

  /** The options, PyTorch's names to values (Double, Boolean, double[] for betas, ...). */
  public Map<String, Object> options() {
    return options;
  }

  public double lr() {
    return getDouble("lr");
  }

  public ParamGroup set(String option, Object value) {
    options.put(option, value);
    return this;
  }

  public Object get(String option) {
    Object v = options.get(option);
    if (v == null && !options.containsKey(option)) throw new IllegalArgumentException("no option '" + option + "' in this group");
    return v;
  }

  public double getDouble(String option) {
    Object v = get(option);
    if (v instanceof Number n) return n.doubleValue();
    throw new IllegalArgumentException("option '" + option + "' is " + v + ", not a number");
  }

  public boolean getBoolean(String option) {
    Object v = get(option);
    if (v instanceof Boolean b) return b;
    throw new IllegalArgumentException("option '" + option + "' is " + v + ", not a boolean");
  }

  /** A pair option such as betas, given as double[] or a List of numbers. */
  public double[] getPair(String option) {
    Object v = get(option);
    if (v instanceof double[] d && d.length == 2) return d.clone();
    if (v instanceof List<?> l && l.size() == 2) return new double[] {((Number) l.get(0)).doubleValue(), ((Number) l.get(1)).doubleValue()};
    throw new IllegalArgumentException("option '" + option + "' must be a pair of numbers, got " + v);
  }
}
