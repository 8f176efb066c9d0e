package dev.kiln;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void matmulAndPrint() {
    Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
    Tensor b = a.matmul(a.t()).add(1);
    assertArrayEquals(new float[] {6, 12, 12, 26}, b.toFloatArray());
    assertEquals("tensor([[ 6., 12.],\n        [12., 26.]])", b.toString());
    assertThrows(ShapeException.class, () -> a.matmul(Tensor.zeros(3, 3)));
  }
}
