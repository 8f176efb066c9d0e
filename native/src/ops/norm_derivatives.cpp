// The normalization derivatives in ordinary ops (see norm_derivatives.h). With xc = x - mean (x for RMS norm),
// h = g w and E the mean over a statistic's elements, the backward row computes
//   coupled:   gx = r (h - E[h]) - r^3 xc E[h xc]     (RMS norm: gx = r h - r^3 x E[h x])
//   fixed:     gx = r h                              (batch norm in evaluation)
//   gw = sum of g xc r,  gb = sum of g,
// and its partial derivatives in (g, x, mean, r, w) follow term by term below.
#include "ops/norm_derivatives.h"

#include "cpu/dispatch.h"
#include "kiln/autograd.h"
#include "kiln/ops.h"

namespace kiln {

Tensor NormLayout::to_work(const Tensor& t) const { return reshape(t, work); }
Tensor NormLayout::from_work(const Tensor& t) const { return reshape(t, x_shape); }
Tensor NormLayout::stat(const Tensor& t) const { return reshape(t, stat_work); }
Tensor NormLayout::sum_to_stat(const Tensor& t) const { return reshape(sum(t, stat_dims, true), stat_shape); }
Tensor NormLayout::param(const Tensor& t) const { return reshape(t, param_work); }
Tensor NormLayout::sum_to_param(const Tensor& t) const { return reshape(sum(t, param_dims, true), param_shape); }

bool is_unused_grad(const Tensor& t) {
  if (!t.defined()) return true;
  if (requires_grad(t)) return false;
  const Tensor c = contiguous(t);
  bool zero = true;
  cpu::dispatch(c.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = c.numel() > 0 ? c.data<T>() : nullptr;
    for (int64_t i = 0; i < c.numel() && zero; ++i) zero = p[i] == T(0);
  });
  return zero;
}

namespace {

Tensor S(double v) { return wrapped_scalar(Scalar(v)); }

// a + b where either may be undefined.
Tensor plus(const Tensor& a, const Tensor& b) {
  if (!a.defined()) return b;
  if (!b.defined()) return a;
  return add(a, b);
}

}  // namespace

NormPartials norm_backward_partials(const NormLayout& L, NormKind kind, const Tensor& G_, const Tensor& Gw_,
                                    const Tensor& Gb_, const Tensor& g_, const Tensor& x_, const Tensor& mean_,
                                    const Tensor& rstd_, const Tensor& weight_, const bool needs[5]) {
  const Tensor G = L.to_work(G_), g = L.to_work(g_), x = L.to_work(x_), r = L.stat(rstd_);
  const Tensor xc = kind.centered ? sub(x, L.stat(mean_)) : x;
  const Tensor w = weight_.defined() ? L.param(weight_) : Tensor();
  const Tensor h = w.defined() ? mul(g, w) : g;
  // Gradients of gw and gb that nobody asked for arrive as zeros: skip their terms.
  const Tensor Gw = is_unused_grad(Gw_) ? Tensor() : L.param(Gw_);
  const Tensor Gb = is_unused_grad(Gb_) ? Tensor() : L.param(Gb_);
  const std::vector<int64_t>& dims = L.stat_dims;
  auto E = [&](const Tensor& t) { return mean(t, dims, true); };
  const Tensor r2 = mul(r, r), r3 = mul(r2, r);

  Tensor dh, dx, A, B;  // dh: the partial in h; A = E[h xc], B = E[G xc]
  if (kind.coupled) {
    A = E(mul(h, xc));
    B = E(mul(G, xc));
    const Tensor centered_G = kind.centered ? sub(G, E(G)) : G;
    dh = sub(mul(r, centered_G), mul(mul(r3, B), xc));
  } else {
    dh = mul(r, G);
  }
  if (needs[1] || needs[2]) {
    if (kind.coupled) dx = neg(mul(r3, add(mul(G, A), mul(h, B))));
    if (Gw.defined()) dx = plus(dx, mul(mul(Gw, r), g));
  }
  NormPartials out;
  if (needs[0]) {
    Tensor dg = w.defined() ? mul(dh, w) : dh;
    if (Gw.defined()) dg = add(dg, mul(mul(Gw, r), xc));
    if (Gb.defined()) dg = add(dg, Gb);
    out.dg = L.from_work(dg);
  }
  if (needs[1] && dx.defined()) out.dx = L.from_work(dx);
  if (needs[2] && kind.centered && dx.defined()) out.dmean = neg(L.sum_to_stat(dx));
  if (needs[3]) {
    Tensor dr = kind.coupled && kind.centered ? mul(G, sub(h, E(h))) : mul(G, h);
    if (Gw.defined()) dr = add(dr, mul(mul(Gw, g), xc));
    dr = L.sum_to_stat(dr);
    if (kind.coupled) dr = sub(dr, L.sum_to_stat(mul(mul(mul(r2, A), S(3.0)), mul(G, xc))));
    out.drstd = dr;
  }
  if (needs[4] && w.defined()) out.dweight = L.sum_to_param(mul(g, dh));
  return out;
}

// mean = E[x], rstd = (E[xc^2] + eps)^-1/2: d mean/dx = 1/M, d rstd/dx = -rstd^3 xc / M.
Tensor norm_stat_input_grad(const NormLayout& L, NormKind kind, const Tensor& gm, const Tensor& gr, const Tensor& x,
                            const Tensor& mean_, const Tensor& rstd_) {
  if (!kind.coupled) return Tensor();
  const bool use_m = kind.centered && !is_unused_grad(gm), use_r = !is_unused_grad(gr);
  if (!use_m && !use_r) return Tensor();
  const Tensor M = S(static_cast<double>(L.count));
  Tensor dx;
  if (use_r) {
    const Tensor r = L.stat(rstd_);
    const Tensor xw = L.to_work(x);
    const Tensor xc = kind.centered ? sub(xw, L.stat(mean_)) : xw;
    dx = div(mul(neg(mul(mul(r, r), r)), mul(L.stat(gr), xc)), M);
  }
  if (use_m) {
    const Tensor from_mean = expand(div(L.stat(gm), M), L.work);
    dx = plus(dx, from_mean);
  }
  return L.from_work(dx);
}

}  // namespace kiln
