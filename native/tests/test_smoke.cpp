#include "check.h"
using namespace kiln;
TEST(smoke) {
  Tensor a = ones({2, 3});
  CHECK_VALUES(sum(a), 0, {6});
}
