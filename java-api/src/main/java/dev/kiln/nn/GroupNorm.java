package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.functional.Normalization;

/**
 * Group norm (torch.nn.GroupNorm): the channels of [N, C, *] in numGroups groups of adjacent channels, each group
 * of each sample normalized on its own, then a per-channel affine with weight (ones) and bias (zeros). Defaults
 * eps 1e-5, affine.
 */
public class GroupNorm extends Module {
  public final int numGroups;
  public final int numChannels;
  public final double eps;
  public final boolean affine;
  public final Tensor weight;
  public final Tensor bias;

  public GroupNorm(int numGroups, int numChannels) {
    this(numGroups, numChannels, 1e-5, true);
  }

  public GroupNorm(int numGroups, int numChannels, double eps, boolean affine) {
    if (numGroups <= 0 || numChannels % numGroups != 0)
      throw new IllegalArgumentException("GroupNorm: num_channels must be divisible by num_groups (got num_channels="
          + numChannels + ", num_groups=" + numGroups + ")");
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = eps;
    this.affine = affine;
    this.weight = registerParameter("weight", affine ? Tensor.ones(numChannels) : null);
    this.bias = registerParameter("bias", affine ? Tensor.zeros(numChannels) : null);
  }

  /** weight ones, bias zeros. */
  public void resetParameters() {
    if (!affine) return;
    try (ModeScope g = Autograd.noGrad()) {
      weight.fill_(1.0);
      bias.fill_(0.0);
    }
  }

  @Override
  public Tensor forward(Tensor input) {
    return Normalization.groupNorm(input, numGroups, tensor("weight"), tensor("bias"), eps);
  }

  @Override
  protected String extraRepr() {
    return numGroups + ", " + numChannels + ", eps=" + PyRepr.num(eps) + ", affine=" + (affine ? "True" : "False");
  }
}
