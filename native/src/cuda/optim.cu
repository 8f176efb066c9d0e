// Fused optimizer steps: one pass over a parameter, its gradient and its state, with the CPU's per-element
// formulas (optim_formulas.h), so a step gives the same bits on either device.
#include "cuda/kernels.h"
#include "cuda/rows.cuh"
#include "cuda/strided.cuh"
#include "optim_formulas.h"

namespace kiln::cuda {
namespace {

template <class T>
void sgd_typed(const SgdConfig& c, const Tensor& param, const Tensor& grad, const Tensor& buf) {
  const SgdFormula<T> f(c);
  T* p = param.data<T>();
  const T* g = grad.data<T>();
  T* m = (buf.defined() ? buf : param).data<T>();
  const bool has_buf = buf.defined();
  const Tensor* ts[3] = {&param, &grad, has_buf ? &buf : &param};
  for_each_element(
      ts,
      [=] __device__(const int64_t(&off)[3]) {
        T unused = 0;
        f.step(p[off[0]], g[off[1]], has_buf ? m[off[2]] : unused);
      },
      "sgd_step");
}

template <class T, bool kAmsgrad, bool kCoupled>
void adam_typed(const AdamFormula<T>& f, const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq) {
  const Tensor& vmax = kAmsgrad ? max_exp_avg_sq : param;  // a stand-in, never touched without amsgrad
  T *p = param.data<T>(), *m = exp_avg.data<T>(), *v = exp_avg_sq.data<T>(), *vm = vmax.data<T>();
  const T* g = grad.data<T>();
  const Tensor* ts[5] = {&param, &grad, &exp_avg, &exp_avg_sq, &vmax};
  for_each_element(
      ts,
      [=] __device__(const int64_t(&off)[5]) {
        T unused = 0;
        f.template step<kAmsgrad, kCoupled>(p[off[0]], g[off[1]], m[off[2]], v[off[3]], kAmsgrad ? vm[off[4]] : unused);
      },
      "adam_step");
}

template <class T>
void adam_for(const AdamConfig& c, const Tensor& param, const Tensor& grad, const Tensor& m, const Tensor& v,
              const Tensor& vmax) {
  const AdamFormula<T> f(c);
  const bool coupled = !c.decoupled && c.weight_decay != 0;
  if (c.amsgrad && coupled) adam_typed<T, true, true>(f, param, grad, m, v, vmax);
  else if (c.amsgrad) adam_typed<T, true, false>(f, param, grad, m, v, vmax);
  else if (coupled) adam_typed<T, false, true>(f, param, grad, m, v, vmax);
  else adam_typed<T, false, false>(f, param, grad, m, v, vmax);
}

}  // namespace

void sgd_update(const SgdConfig& c, const Tensor& param, const Tensor& grad, const Tensor& buf) {
  floating(param.dtype(), "sgd_step", [&](auto tag) { sgd_typed<decltype(tag)>(c, param, grad, buf); });
}

void adam_update(const AdamConfig& c, const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                 const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq) {
  floating(param.dtype(), "adam_step",
           [&](auto tag) { adam_for<decltype(tag)>(c, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq); });
}

}  // namespace kiln::cuda
