// Optimizer steps as ops: one call updates every parameter of a group in place (a fused kernel per
// parameter, src/cpu/optim.cpp), instead of several ops per parameter. Not differentiable.
//
// A call's tensors are `slots` lists of n tensors each, slot by slot: params, grads, then the optimizer's
// state tensors. ints[0] is n; the rest of ints and reals hold the options, then per-parameter scalars
// (bias corrections depend on each parameter's own step count, kept by the Java optimizer).
#include "backend.h"
#include "cpu/optim.h"
#include "ops/operands.h"

namespace kiln {
namespace {

struct Group {
  size_t n = 0;
  const TensorList* tensors = nullptr;
  const Tensor& at(size_t slot, size_t i) const { return (*tensors)[slot * n + i]; }
};

// Checks a call's layout: every tensor of parameter i has its shape and dtype.
Group group(const char* op, const TensorList& in, const OpArgs& args, size_t slots) {
  const int64_t n = int_arg(args, 0, op);
  KILN_CHECK(n >= 0 && static_cast<size_t>(n) * slots == in.size(), Argument, op, ": expected ", slots, " x ", n,
             " tensors, got ", in.size());
  check_same_device(op, in);
  Group g{static_cast<size_t>(n), &in};
  for (size_t i = 0; i < g.n; ++i) {
    const Tensor& p = g.at(0, i);
    KILN_CHECK(is_floating(p.dtype()), DType, op, ": parameter ", i, " has dtype ", dtype_name(p.dtype()),
               "; only floating-point parameters can be optimized");
    KILN_CHECK(p.dtype() == DType::Float32 || p.dtype() == DType::Float64, DType, op, ": parameter ", i, " has dtype ",
               dtype_name(p.dtype()), "; the optimizer steps update float32 and float64 parameters (keep float32 "
               "master weights for a float16 or bfloat16 model)");
    for (size_t s = 1; s < slots; ++s) {
      const Tensor& t = g.at(s, i);
      KILN_CHECK(t.shape() == p.shape() && t.dtype() == p.dtype(), Shape, op, ": tensor ", s, " of parameter ", i,
                 " has shape ", shape_str(t.shape()), " and dtype ", dtype_name(t.dtype()), "; the parameter has ",
                 shape_str(p.shape()), " and ", dtype_name(p.dtype()));
    }
  }
  return g;
}

// The parameters and state were written in place: tensors saved by an autograd graph must notice.
TensorList bump(const TensorList& in) {
  for (const Tensor& t : in) t.storage()->bump_version();
  return {};
}

double per_param(const OpArgs& args, size_t first, size_t i, const char* op) { return real_arg(args, first + i, op); }

// tensors: params, grads, momentum buffers; ints: n, nesterov, maximize, first_step per param;
// reals: lr, momentum, dampening, weight_decay
TensorList sgd_fwd(const TensorList& in, const OpArgs& a) {
  const char* op = "sgd_step";
  const Group g = group(op, in, a, 3);
  for (size_t i = 0; i < g.n; ++i) {
    const SgdConfig c{real_arg(a, 0, op),     real_arg(a, 1, op),     real_arg(a, 2, op),        real_arg(a, 3, op),
                      int_arg(a, 1, op) != 0, int_arg(a, 2, op) != 0, int_arg(a, 3 + i, op) != 0};
    backend_for(g.at(0, i).device()).sgd_update(c, g.at(0, i), g.at(1, i), g.at(2, i));
  }
  return bump(in);
}

// tensors: params, grads, exp_avg, exp_avg_sq, max_exp_avg_sq (the param again without amsgrad);
// ints: n, amsgrad, maximize, decoupled; reals: lr, beta1, beta2, eps, weight_decay, then per param
// step_size and sqrt(bias_correction2)
TensorList adam_fwd(const TensorList& in, const OpArgs& a) {
  const char* op = "adam_step";
  const Group g = group(op, in, a, 5);
  for (size_t i = 0; i < g.n; ++i) {
    const AdamConfig c{real_arg(a, 0, op),     real_arg(a, 1, op),          real_arg(a, 2, op),
                       real_arg(a, 3, op),     real_arg(a, 4, op),          per_param(a, 5, i, op),
                       per_param(a, 5 + g.n, i, op), int_arg(a, 1, op) != 0, int_arg(a, 2, op) != 0,
                       int_arg(a, 3, op) != 0};
    backend_for(g.at(0, i).device())
        .adam_update(c, g.at(0, i), g.at(1, i), g.at(2, i), g.at(3, i), c.amsgrad ? g.at(4, i) : Tensor());
  }
  return bump(in);
}

// tensors: params, grads, square_avg, grad_avg, momentum buffer (the param again when unused);
// ints: n, centered, maximize; reals: lr, alpha, eps, weight_decay, momentum
TensorList rmsprop_fwd(const TensorList& in, const OpArgs& a) {
  const char* op = "rmsprop_step";
  const Group g = group(op, in, a, 5);
  const cpu::RmspropConfig c{real_arg(a, 0, op), real_arg(a, 1, op), real_arg(a, 2, op), real_arg(a, 3, op),
                             real_arg(a, 4, op), int_arg(a, 1, op) != 0, int_arg(a, 2, op) != 0};
  for (size_t i = 0; i < g.n; ++i)
    cpu::rmsprop_update(c, g.at(0, i), g.at(1, i), g.at(2, i), c.centered ? g.at(3, i) : Tensor(),
                        c.momentum > 0 ? g.at(4, i) : Tensor());
  return bump(in);
}

// tensors: params, grads, sums; ints: n, maximize; reals: eps, weight_decay, then clr per param
TensorList adagrad_fwd(const TensorList& in, const OpArgs& a) {
  const char* op = "adagrad_step";
  const Group g = group(op, in, a, 3);
  for (size_t i = 0; i < g.n; ++i)
    cpu::adagrad_update({per_param(a, 2, i, op), real_arg(a, 0, op), real_arg(a, 1, op), int_arg(a, 1, op) != 0},
                        g.at(0, i), g.at(1, i), g.at(2, i));
  return bump(in);
}

// tensors: params, grads, square_avg, acc_delta; ints: n, maximize; reals: lr, rho, eps, weight_decay
TensorList adadelta_fwd(const TensorList& in, const OpArgs& a) {
  const char* op = "adadelta_step";
  const Group g = group(op, in, a, 4);
  const cpu::AdadeltaConfig c{real_arg(a, 0, op), real_arg(a, 1, op), real_arg(a, 2, op), real_arg(a, 3, op),
                              int_arg(a, 1, op) != 0};
  for (size_t i = 0; i < g.n; ++i) cpu::adadelta_update(c, g.at(0, i), g.at(1, i), g.at(2, i), g.at(3, i));
  return bump(in);
}

// tensors: params, grads, exp_avg, exp_inf; ints: n, maximize; reals: beta1, beta2, eps, weight_decay,
// then clr per param
TensorList adamax_fwd(const TensorList& in, const OpArgs& a) {
  const char* op = "adamax_step";
  const Group g = group(op, in, a, 4);
  for (size_t i = 0; i < g.n; ++i)
    cpu::adamax_update({real_arg(a, 0, op), real_arg(a, 1, op), real_arg(a, 2, op), real_arg(a, 3, op),
                        per_param(a, 4, i, op), int_arg(a, 1, op) != 0},
                       g.at(0, i), g.at(1, i), g.at(2, i), g.at(3, i));
  return bump(in);
}

// tensors: params, grads, exp_avg, exp_avg_sq; ints: n; reals: beta1, beta2, eps, weight_decay, then per
// param bias_correction2, grad_coef, avg_coef
TensorList nadam_fwd(const TensorList& in, const OpArgs& a) {
  const char* op = "nadam_step";
  const Group g = group(op, in, a, 4);
  for (size_t i = 0; i < g.n; ++i)
    cpu::nadam_update({real_arg(a, 0, op), real_arg(a, 1, op), real_arg(a, 2, op), real_arg(a, 3, op),
                       per_param(a, 4, i, op), per_param(a, 4 + g.n, i, op), per_param(a, 4 + 2 * g.n, i, op)},
                      g.at(0, i), g.at(1, i), g.at(2, i), g.at(3, i));
  return bump(in);
}

// tensors: params, grads, exp_avg, exp_avg_sq; ints: n, then rectified per param; reals: lr, beta1,
// beta2, eps, weight_decay, then per param bias_correction1, bias_correction2, rect
TensorList radam_fwd(const TensorList& in, const OpArgs& a) {
  const char* op = "radam_step";
  const Group g = group(op, in, a, 4);
  for (size_t i = 0; i < g.n; ++i)
    cpu::radam_update({real_arg(a, 0, op), real_arg(a, 1, op), real_arg(a, 2, op), real_arg(a, 3, op),
                       real_arg(a, 4, op), per_param(a, 5, i, op), per_param(a, 5 + g.n, i, op),
                       per_param(a, 5 + 2 * g.n, i, op), int_arg(a, 1 + i, op) != 0},
                      g.at(0, i), g.at(1, i), g.at(2, i), g.at(3, i));
  return bump(in);
}

// tensors: params, grads, ax; ints: n, maximize; reals: lambd, weight_decay, then per param eta, mu
TensorList asgd_fwd(const TensorList& in, const OpArgs& a) {
  const char* op = "asgd_step";
  const Group g = group(op, in, a, 3);
  for (size_t i = 0; i < g.n; ++i)
    cpu::asgd_update({real_arg(a, 0, op), real_arg(a, 1, op), per_param(a, 2, i, op), per_param(a, 2 + g.n, i, op),
                      int_arg(a, 1, op) != 0},
                     g.at(0, i), g.at(1, i), g.at(2, i));
  return bump(in);
}

// tensors: params, grads, prev, step_size; ints: n, maximize; reals: etaminus, etaplus, step_size_min,
// step_size_max
TensorList rprop_fwd(const TensorList& in, const OpArgs& a) {
  const char* op = "rprop_step";
  const Group g = group(op, in, a, 4);
  const cpu::RpropConfig c{real_arg(a, 0, op), real_arg(a, 1, op), real_arg(a, 2, op), real_arg(a, 3, op),
                           int_arg(a, 1, op) != 0};
  for (size_t i = 0; i < g.n; ++i) cpu::rprop_update(c, g.at(0, i), g.at(1, i), g.at(2, i), g.at(3, i));
  return bump(in);
}

const OpDef kSgd{"sgd_step", "sgd_step(params, grads, bufs; ints: n, nesterov, maximize, first...; reals: lr, "
                 "momentum, dampening, weight_decay)", -1, OpKind::Primitive, sgd_fwd};
const OpDef kAdam{"adam_step", "adam_step(params, grads, exp_avg, exp_avg_sq, max_exp_avg_sq; ints: n, amsgrad, "
                  "maximize, decoupled; reals: lr, beta1, beta2, eps, weight_decay, step_size..., bc2_sqrt...)", -1,
                  OpKind::Primitive, adam_fwd};
const OpDef kRmsprop{"rmsprop_step", "rmsprop_step(params, grads, square_avg, grad_avg, buf; ints: n, centered, "
                     "maximize; reals: lr, alpha, eps, weight_decay, momentum)", -1, OpKind::Primitive, rmsprop_fwd};
const OpDef kAdagrad{"adagrad_step", "adagrad_step(params, grads, sums; ints: n, maximize; reals: eps, "
                     "weight_decay, clr...)", -1, OpKind::Primitive, adagrad_fwd};
const OpDef kAdadelta{"adadelta_step", "adadelta_step(params, grads, square_avg, acc_delta; ints: n, maximize; "
                      "reals: lr, rho, eps, weight_decay)", -1, OpKind::Primitive, adadelta_fwd};
const OpDef kAdamax{"adamax_step", "adamax_step(params, grads, exp_avg, exp_inf; ints: n, maximize; reals: beta1, "
                    "beta2, eps, weight_decay, clr...)", -1, OpKind::Primitive, adamax_fwd};
const OpDef kNadam{"nadam_step", "nadam_step(params, grads, exp_avg, exp_avg_sq; ints: n; reals: beta1, beta2, "
                   "eps, weight_decay, bc2..., grad_coef..., avg_coef...)", -1, OpKind::Primitive, nadam_fwd};
const OpDef kRadam{"radam_step", "radam_step(params, grads, exp_avg, exp_avg_sq; ints: n, rectified...; reals: "
                   "lr, beta1, beta2, eps, weight_decay, bc1..., bc2..., rect...)", -1, OpKind::Primitive, radam_fwd};
const OpDef kAsgd{"asgd_step", "asgd_step(params, grads, ax; ints: n, maximize; reals: lambd, weight_decay, eta..., "
                  "mu...)", -1, OpKind::Primitive, asgd_fwd};
const OpDef kRprop{"rprop_step", "rprop_step(params, grads, prev, step_size; ints: n, maximize; reals: etaminus, "
                   "etaplus, step_size_min, step_size_max)", -1, OpKind::Primitive, rprop_fwd};

}  // namespace

void add_optim_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(),
               {&kSgd, &kAdam, &kRmsprop, &kAdagrad, &kAdadelta, &kAdamax, &kNadam, &kRadam, &kAsgd, &kRprop});
}

}  // namespace kiln
