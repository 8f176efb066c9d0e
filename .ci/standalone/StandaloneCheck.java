// Run by .ci/check-standalone against the installed jars only: creates tensors and multiplies matrices.
import dev.kiln.DType;
import dev.kiln.Tensor;

public class StandaloneCheck {
  public static void main(String[] args) {
    Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    Tensor b = Tensor.of(new float[] {7, 8, 9, 10, 11, 12}, 3, 2);
    float[] got = a.matmul(b).toFloatArray();
    float[] want = {58, 64, 139, 154};
    for (int i = 0; i < want.length; i++) {
      if (got[i] != want[i]) throw new AssertionError("matmul: got " + java.util.Arrays.toString(got));
    }
    Tensor big = Tensor.randn(DType.FLOAT64, 300, 200);
    double err = big.matmul(Tensor.eye(DType.FLOAT64, 200, 200)).sub(big).abs().max().item();
    if (err != 0) throw new AssertionError("matmul with the identity differs by " + err);
    System.out.println("standalone check passed: " + a.matmul(b));
  }
}
