package dev.kiln.examples.tutorials;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.Tensor;
import dev.kiln.data.DataLoader;
import dev.kiln.examples.tutorials.CustomDataset.CirclePoints;
import dev.kiln.examples.tutorials.CustomDataset.Run;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The loader gives every point once per epoch, in batches; the network learns the circle. */
class TutorialCustomDatasetTest {
  @Test
  void itemsAreMadeFromTheIndex() {
    CirclePoints data = new CirclePoints();
    assertEquals(256, data.size());
    assertArrayEquals(new float[] {-0.9375f, -0.9375f}, data.get(0)[0].toFloatArray());
    assertArrayEquals(new float[] {0}, data.get(0)[1].toFloatArray());
    // Cell 136: column 8, row 8, the point (0.0625, 0.0625), inside the circle.
    assertArrayEquals(new float[] {0.0625f, 0.0625f}, data.get(136)[0].toFloatArray());
    assertArrayEquals(new float[] {1}, data.get(136)[1].toFloatArray());
    assertThrows(IndexOutOfBoundsException.class, () -> data.get(256));
  }

  @Test
  void eachEpochIsEveryPointOnceInANewOrder() {
    DataLoader<Tensor[], Tensor[]> loader = CustomDataset.loader(new CirclePoints(), 0);
    assertEquals(8, loader.size());
    List<String> first = epoch(loader), second = epoch(loader);
    assertEquals(256, new HashSet<>(first).size());
    assertEquals(new HashSet<>(first), new HashSet<>(second));
    assertNotEquals(first, second);
    assertEquals(first, epoch(CustomDataset.loader(new CirclePoints(), 0)), "same seed, same order");
  }

  private static List<String> epoch(DataLoader<Tensor[], Tensor[]> loader) {
    List<String> points = new ArrayList<>();
    for (Tensor[] batch : loader) {
      assertArrayEquals(new long[] {32, 2}, batch[0].shape());
      assertArrayEquals(new long[] {32, 1}, batch[1].shape());
      float[] xy = batch[0].toFloatArray();
      for (int i = 0; i < xy.length; i += 2) points.add(xy[i] + "," + xy[i + 1]);
    }
    return points;
  }

  @Test
  void theNetworkLearnsTheCircle() {
    Run r = CustomDataset.run(40);
    double[] l = r.epochLosses();
    assertTrue(l[39] < l[0] / 4, "loss " + l[0] + " -> " + l[39]);
    assertTrue(r.accuracy() >= 0.95, "accuracy " + r.accuracy());
  }

  @Test
  void aRunIsReproducible() {
    assertArrayEquals(CustomDataset.run(3).epochLosses(), CustomDataset.run(3).epochLosses());
  }
}
