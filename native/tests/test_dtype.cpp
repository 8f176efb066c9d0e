// Type promotion: promote_types, ResultType / result_type priorities, can_cast, and the dtypes ops give.
#include "fixtures.h"
#include "ops/operands.h"

using namespace kiln;
using test::make;

namespace {

constexpr DType B = DType::Bool, I = DType::Int64, F = DType::Float32, D = DType::Float64;
constexpr OperandPriority kDim = OperandPriority::Dimensioned, kZero = OperandPriority::ZeroDim,
                          kWrapped = OperandPriority::WrappedNumber;

struct Operand {
  DType dtype;
  OperandPriority priority;
};

DType result_of(std::initializer_list<Operand> operands) {
  ResultType rt;
  for (const Operand& o : operands) rt.add(o.dtype, o.priority);
  return rt.get();
}

}  // namespace

TEST(dtype_sizes_names_and_codes) {
  CHECK_EQ(dtype_size(B), size_t(1));
  CHECK_EQ(dtype_size(I), size_t(8));
  CHECK_EQ(dtype_size(F), size_t(4));
  CHECK_EQ(dtype_size(D), size_t(8));
  CHECK_EQ(std::string(dtype_name(F)), "float32");
  CHECK_EQ(std::string(dtype_name(I)), "int64");
  CHECK_EQ(dtype_from_code(3), D);
  CHECK_EQ(dtype_from_code(0), B);
  CHECK_THROWS(dtype_from_code(10), Argument, "unknown dtype code 10");
  CHECK_THROWS(dtype_from_code(-1), Argument, "unknown dtype code -1");
}

TEST(promote_types_table) {
  const DType all[] = {B, I, F, D};
  // torch.promote_types over {bool, int64, float32, float64}: rows and columns in that order.
  const DType want[4][4] = {{B, I, F, D}, {I, I, F, D}, {F, F, F, D}, {D, D, D, D}};
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) CHECK_EQ(promote_types(all[r], all[c]), want[r][c]);
}

TEST(result_type_dimensioned_tensors_promote) {
  CHECK_EQ(result_of({{B, kDim}, {I, kDim}}), I);
  CHECK_EQ(result_of({{I, kDim}, {F, kDim}}), F);
  CHECK_EQ(result_of({{F, kDim}, {D, kDim}}), D);
  CHECK_EQ(result_of({{B, kDim}, {B, kDim}}), B);
  CHECK_EQ(result_of({{I, kDim}}), I);
}

TEST(result_type_zero_dim_counts_only_with_a_higher_category) {
  CHECK_EQ(result_of({{F, kDim}, {D, kZero}}), F);  // float32 tensor + float64 0-dim -> float32
  CHECK_EQ(result_of({{I, kDim}, {D, kZero}}), D);  // int64 tensor + float64 0-dim -> float64
  CHECK_EQ(result_of({{B, kDim}, {I, kZero}}), I);
  CHECK_EQ(result_of({{I, kDim}, {B, kZero}}), I);
  CHECK_EQ(result_of({{D, kZero}, {I, kDim}}), D);  // order does not matter
  CHECK_EQ(result_of({{I, kZero}, {F, kZero}}), F);  // two 0-dim tensors promote normally
}

TEST(result_type_wrapped_numbers) {
  CHECK_EQ(result_of({{I, kDim}, {D, kWrapped}}), F);  // int64 tensor + 2.5 -> float32 (the default float)
  CHECK_EQ(result_of({{B, kDim}, {I, kWrapped}}), I);  // bool tensor + 1 -> int64
  CHECK_EQ(result_of({{B, kDim}, {B, kWrapped}}), B);
  CHECK_EQ(result_of({{B, kDim}, {D, kWrapped}}), F);
  CHECK_EQ(result_of({{I, kDim}, {B, kWrapped}}), I);
  CHECK_EQ(result_of({{F, kDim}, {D, kWrapped}}), F);
  CHECK_EQ(result_of({{D, kDim}, {D, kWrapped}}), D);
  CHECK_EQ(result_of({{I, kZero}, {D, kWrapped}}), F);  // torch.tensor(2) + 2.5 -> float32
  CHECK_EQ(result_of({{F, kZero}, {D, kWrapped}}), F);
}

TEST(result_type_of_wrapped_numbers_alone_uses_the_default_float) {
  // torch.result_type(2.5, 3.5) and torch.result_type(2, 3.5) are both float32.
  CHECK_EQ(result_of({{D, kWrapped}, {D, kWrapped}}), F);
  CHECK_EQ(result_of({{I, kWrapped}, {D, kWrapped}}), F);
  CHECK_EQ(result_of({{I, kWrapped}, {I, kWrapped}}), I);
}

TEST(result_type_three_operands) {
  // As torch.addcmul(input, t1, t2) types its three operands.
  CHECK_EQ(result_of({{B, kDim}, {I, kZero}, {D, kZero}}), D);
  CHECK_EQ(result_of({{I, kDim}, {B, kZero}, {D, kZero}}), D);
  CHECK_EQ(result_of({{F, kDim}, {D, kZero}, {I, kZero}}), F);
  CHECK_EQ(result_of({{B, kDim}, {I, kZero}, {B, kZero}}), I);
}

TEST(result_type_over_tensors_reads_priorities) {
  const Tensor ints = make({1, 2}, {2}, I), floats = make({1, 2}, {2}, F);
  const Tensor zero_dim_double = Tensor::scalar(1.5, D), wrapped = wrapped_scalar(2.5);
  CHECK(priority_of(ints) == kDim);
  CHECK(priority_of(zero_dim_double) == kZero);
  CHECK(priority_of(wrapped) == kWrapped);
  CHECK_EQ(wrapped.dtype(), D);
  CHECK_EQ(result_type({ints, wrapped}), F);
  CHECK_EQ(result_type({floats, zero_dim_double}), F);
  CHECK_EQ(result_type({ints, zero_dim_double}), D);
  CHECK_EQ(result_type({make({1, 0}, {2}, B), wrapped_scalar(3)}), I);
}

TEST(can_cast_rules) {
  CHECK(can_cast(B, I) && can_cast(B, F) && can_cast(I, F) && can_cast(I, D) && can_cast(F, D) && can_cast(D, F));
  CHECK(!can_cast(F, I) && !can_cast(D, I));
  CHECK(!can_cast(I, B) && !can_cast(F, B));
  CHECK(can_cast(B, B) && can_cast(I, I));
}

TEST(ops_give_promoted_dtypes) {
  const Tensor i = make({1, 2}, {2}, I), f = make({1, 2}, {2}, F), b = make({1, 0}, {2}, B);
  CHECK_EQ(add(i, 2.5).dtype(), F);
  CHECK_VALUES(add(i, 2.5), 0, {3.5, 4.5});
  CHECK_EQ(add(f, Tensor::scalar(1.0, D)).dtype(), F);
  CHECK_EQ(add(i, Tensor::scalar(1.0, D)).dtype(), D);
  CHECK_EQ(add(b, i).dtype(), I);
  CHECK_EQ(add(i, f).dtype(), F);
  CHECK_EQ(add(b, 1).dtype(), I);
  CHECK_VALUES(add(b, 1), 0, {2, 1});
  CHECK_EQ(add(b, Scalar::boolean(true)).dtype(), B);
  CHECK_EQ(add(i, Scalar::boolean(true)).dtype(), I);
  CHECK_EQ(add(to(f, D), 2.5).dtype(), D);
  CHECK_EQ(mul(Tensor::scalar(3, I), 2.5).dtype(), F);
  CHECK_EQ(eq(i, f).dtype(), B);
  // torch.where(cond, 1.0, 2.0) is float32.
  CHECK_EQ(where(make({1, 0}, {2}, B), wrapped_scalar(1.0), wrapped_scalar(2.0)).dtype(), F);
}
