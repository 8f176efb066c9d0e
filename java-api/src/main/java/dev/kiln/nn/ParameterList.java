package dev.kiln.nn;

import dev.kiln.IndexException;
import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Parameters in a list, registered as "0", "1", ... so that optimizers and state dicts find them
 * (torch.nn.ParameterList). Tensors added become parameters: they require grad from then on.
 *
 * <pre>{@code
 * ParameterList ws = new ParameterList(Tensor.randn(3, 3), Tensor.randn(3));
 * Tensor y = x.matmul(ws.get(0)).add(ws.get(-1));
 * }</pre>
 */
public class ParameterList extends Module implements Iterable<Tensor> {
  public ParameterList(Tensor... parameters) {
    for (Tensor p : parameters) add(p);
  }

  public ParameterList(List<Tensor> parameters) {
    for (Tensor p : parameters) add(p);
  }

  /** Appends a parameter under the next index (PyTorch's append). */
  public ParameterList add(Tensor parameter) {
    return set(size(), parameter);
  }

  /** Appends each of parameters in order. */
  public ParameterList extend(List<Tensor> parameters) {
    for (Tensor p : parameters) add(p);
    return this;
  }

  /** The parameter at index; negative indices count from the end. */
  public Tensor get(int index) {
    return parameters(false).get(position(index, size()));
  }

  /** Replaces the parameter at index (negative from the end), or appends at index size(). */
  public ParameterList set(int index, Tensor parameter) {
    if (parameter == null) throw new IllegalArgumentException("ParameterList: cannot hold a null parameter");
    registerParameter(Integer.toString(index == size() ? index : position(index, size())), parameter);
    return this;
  }

  public int size() {
    return parameters(false).size();
  }

  @Override
  public Iterator<Tensor> iterator() {
    return parameters(false).iterator();
  }

  private static int position(int index, int size) {
    int i = index < 0 ? index + size : index;
    if (i < 0 || i >= size)
      throw new IndexException("ParameterList: index " + index + " is out of range for " + size + " parameters");
    return i;
  }

  /** One line per parameter, as PyTorch's: "(0): Parameter containing: [torch.float32 of size 2x3]". */
  @Override
  protected String extraRepr() {
    List<String> lines = new ArrayList<>();
    int i = 0;
    for (Tensor p : this)
      lines.add("  (" + i++ + "): Parameter containing: [torch." + p.dtype() + " of size " + size(p) + "]");
    return String.join("\n", lines);
  }

  /** A shape as PyTorch's parameter listings write it: 2x3, and nothing for a 0-dim tensor. */
  static String size(Tensor p) {
    StringBuilder s = new StringBuilder();
    for (long n : p.shape()) s.append(s.length() > 0 ? "x" : "").append(n);
    return s.toString();
  }
}
