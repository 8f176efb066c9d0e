package dev.kiln.optim;

import dev.kiln.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay (torch.optim.AdamW): the parameter shrinks by lr * weight_decay before
 * the Adam update. Options as Adam's, with weight_decay 1e-2.
 */
public class AdamW extends Adam {
  private static final Map<String, Object> DEFAULTS;

  static {
    Map<String, Object> d = new HashMap<>(Adam.DEFAULTS);
    d.put("weight_decay", 1e-2);
    DEFAULTS = Map.copyOf(d);
  }

  public AdamW(Iterable<Tensor> params) {
    this(params, Map.of());
  }

  public AdamW(Iterable<Tensor> params, double lr) {
    this(params, Map.of("lr", lr));
  }

  public AdamW(Iterable<Tensor> params, Map<String, ?> options) {
    super(List.of(new ParamGroup(params)), options, DEFAULTS, true);
  }

  public AdamW(List<ParamGroup> groups, Map<String, ?> options) {
    super(groups, options, DEFAULTS, true);
  }
}
