package dev.kiln.reliability;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.ArgumentException;
import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every public in-place method of Tensor (the names ending in _), called on an expanded tensor (zero strides):
 * refused as PyTorch refuses it ("more than one element of the written-to tensor refers to a single memory
 * location"), with the tensor unchanged; the ones PyTorch 1.13 allows (one value written everywhere, or a
 * masked or indexed write) run. The methods are found by reflection, so a new in-place method is walked too.
 */
class InPlaceIntoExpandedTest {
  /** What torch 1.13 runs on an expanded tensor (checked with python3 -c "torch.ones(1, 3).expand(2, 3).fill_(2)"). */
  private static final Set<String> PYTORCH_ALLOWS = Set.of("fill_", "zero_", "maskedFill_", "indexPut_");

  @TestFactory
  Stream<DynamicTest> inPlaceWritesIntoAnExpandedTensor() {
    List<DynamicTest> tests = new ArrayList<>();
    List<Method> methods = Arrays.stream(Tensor.class.getMethods())
        .filter(m -> m.getName().endsWith("_") && !Modifier.isStatic(m.getModifiers()))
        .filter(m -> !m.getName().equals("detach_")) // not a write: PyTorch refuses it on any view
        .sorted((a, b) -> a.toString().compareTo(b.toString())).toList();
    assertTrue(methods.size() > 50, "in-place methods found: " + methods.size());
    for (Method m : methods)
      tests.add(DynamicTest.dynamicTest(m.toString().replaceAll(".*Tensor\\.", ""), () -> check(m)));
    return tests.stream();
  }

  private static void check(Method m) throws IllegalAccessException {
    try (TensorScope scope = TensorScope.open()) {
      boolean integral = m.getName().startsWith("bitwise");
      DType dtype = m.getName().startsWith("logical") ? DType.BOOL : integral ? DType.INT64 : DType.FLOAT64;
      Tensor base = Tensor.ones(DType.FLOAT64, 1, 3).to(dtype);
      Tensor self = base.expand(2, 3);
      Object[] args = arguments(m, dtype);
      try {
        m.invoke(self, args);
        assertTrue(PYTORCH_ALLOWS.contains(m.getName()),
            m.getName() + " wrote into an expanded tensor; PyTorch refuses");
      } catch (InvocationTargetException wrapped) {
        Throwable e = wrapped.getCause();
        assertFalse(PYTORCH_ALLOWS.contains(m.getName()), () -> m.getName() + " refused what PyTorch allows: " + e);
        assertInstanceOf(ArgumentException.class, e, m.getName());
        assertTrue(e.getMessage().contains("more than one element of the written-to tensor refers to a single memory"),
            e.getMessage());
        assertEquals(0, base.version(), m.getName() + ": the tensor was written before the error");
        assertArrayEquals(new double[] {1, 1, 1}, base.to(DType.FLOAT64).toDoubleArray(), m.getName());
      }
    }
  }

  /** Valid arguments for each parameter type (and for the few methods whose tensors are masks or indices). */
  private static Object[] arguments(Method m, DType dtype) {
    Class<?>[] types = m.getParameterTypes();
    Object[] args = new Object[types.length];
    int tensors = 0;
    for (int i = 0; i < types.length; i++) {
      Class<?> t = types[i];
      if (t == Tensor.class) args[i] = tensorArgument(m.getName(), tensors++, dtype);
      else if (t == Tensor[].class) args[i] = new Tensor[] {Tensor.of(new long[] {0}, 1)};
      else if (t == double.class) args[i] = 0.5;
      else if (t == long.class) args[i] = 1L;
      else if (t == int.class) args[i] = 1;
      else if (t == boolean.class) args[i] = false;
      else if (t == String.class) args[i] = "sum";
      else if (t == Generator.class) args[i] = new Generator(1);
      else fail("no argument of type " + t + " for " + m);
    }
    return args;
  }

  private static Tensor tensorArgument(String method, int position, DType dtype) {
    return switch (method) {
      case "maskedFill_" -> position == 0 ? Tensor.of(new boolean[] {true, false, true}, 3) : Tensor.scalar(5.0);
      case "indexAdd_" -> position == 0 ? Tensor.of(new long[] {0}, 1) : Tensor.ones(DType.FLOAT64, 2, 1);
      case "scatterReduce_", "scatter_", "scatterAdd_" -> position == 0 ? Tensor.zeros(DType.INT64, 2, 1) : Tensor.ones(DType.FLOAT64, 2, 1);
      case "indexPut_", "fill_" -> Tensor.scalar(5.0, DType.FLOAT64);
      case "bernoulli_" -> Tensor.full(0.5, 3);
      default -> Tensor.ones(DType.FLOAT64, 3).to(dtype);
    };
  }
}
