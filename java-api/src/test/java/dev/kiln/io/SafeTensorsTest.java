package dev.kiln.io;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.Kiln;
import dev.kiln.Tensor;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.scheduler.StepLR;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** safetensors files: round trips, weights from PyTorch, weights for PyTorch, bad files, checkpoints. */
class SafeTensorsTest {
  @TempDir Path dir;

  @Test
  void roundTripOfEveryDtypeAndShape() throws IOException {
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put("f32", Tensor.randn(3, 4));
    t.put("f64", Tensor.randn(DType.FLOAT64, 2, 2, 2));
    t.put("i64", Tensor.arange(-5, 5));
    t.put("bool", Tensor.of(new boolean[] {true, false, true}));
    t.put("f16", Tensor.randn(2, 3).to(DType.FLOAT16));
    t.put("bf16", Tensor.randn(2, 3).to(DType.BFLOAT16));
    t.put("i32", Tensor.of(new int[] {Integer.MIN_VALUE, -1, 7}));
    t.put("i16", Tensor.of(new short[] {Short.MIN_VALUE, 300}, DType.INT16));
    t.put("i8", Tensor.of(new byte[] {-128, 5, 127}, DType.INT8));
    t.put("u8", Tensor.of(new byte[] {0, (byte) 200, (byte) 255}, DType.UINT8, 3, 1));
    t.put("scalar", Tensor.scalar(2.5));
    t.put("empty", Tensor.zeros(0, 3));
    t.put("view", Tensor.arange(12).view(3, 4).t()); // written row-major whatever its strides
    Path f = dir.resolve("all.safetensors");
    SafeTensors.save(t, f, Map.of("note", "hello"));
    assertEquals(0, (Files.size(f) - 8 - dataBytes(t)) % 8, "the header is padded to 8 bytes");
    Map<String, Tensor> back = SafeTensors.load(f);
    assertEquals(t.keySet(), back.keySet());
    for (String k : t.keySet()) {
      assertEquals(t.get(k).dtype(), back.get(k).dtype(), k);
      assertArrayEquals(t.get(k).shape(), back.get(k).shape(), k);
      assertArrayEquals(t.get(k).toDoubleArray(), back.get(k).toDoubleArray(), k);
    }
    assertEquals(Map.of("note", "hello"), SafeTensors.metadata(f));
  }

  private static long dataBytes(Map<String, Tensor> t) {
    return t.values().stream().mapToLong(x -> x.numel() * x.dtype().itemSize()).sum();
  }

  @Test
  void weightsMadeByPyTorchLoadIntoKiln() throws IOException {
    Sequential model = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
    model.loadStateDict(SafeTensors.load(resource("torch_mlp.safetensors")));
    Map<String, Tensor> io = SafeTensors.load(resource("torch_mlp_io.safetensors"));
    assertArrayEquals(io.get("output").toFloatArray(), model.call(io.get("input")).toFloatArray(), 1e-6f);
  }

  @Test
  void weightsMadeByKilnLoadIntoPyTorch() throws Exception {
    Path python = Path.of("/usr/bin/python3");
    Path script = Path.of("../tools/safetensors_torch.py");
    Assumptions.assumeTrue(Files.isExecutable(python) && Files.exists(script), "no python3 or script");
    Process probe = new ProcessBuilder(python.toString(), "-c", "import torch").start();
    Assumptions.assumeTrue(probe.waitFor() == 0, "PyTorch is not installed (apt-get install python3-torch)");
    Kiln.manualSeed(9);
    Sequential model = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
    Tensor x = Tensor.randn(6, 4);
    SafeTensors.save(model.stateDict(), dir.resolve("model.safetensors"));
    SafeTensors.save(Map.of("input", x, "output", model.call(x).detach()), dir.resolve("io.safetensors"));
    Process check = new ProcessBuilder(python.toString(), script.toString(), "check", dir.toString()).redirectErrorStream(true).start();
    String out = new String(check.getInputStream().readAllBytes());
    assertEquals(0, check.waitFor(), out);
  }

  @Test
  void badFilesRaiseIOExceptions() throws IOException {
    Path f = dir.resolve("bad.safetensors");
    Files.write(f, new byte[] {1, 2, 3});
    assertThrows(IOException.class, () -> SafeTensors.load(f));
    Files.write(f, new byte[] {(byte) 0xff, (byte) 0xff, 0, 0, 0, 0, 0, 0, '{', '}'});
    assertThrows(IOException.class, () -> SafeTensors.load(f));
    byte[] json = "{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}".getBytes();
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + json.length + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putLong(json.length).put(json).putLong(0); // 8 bytes of data where 16 are declared
    Files.write(f, b.array());
    IOException e = assertThrows(IOException.class, () -> SafeTensors.load(f));
    assertTrue(e.getMessage().contains("byte range"), e.getMessage());
  }

  @Test
  void truncatedCorruptedAndLyingFilesRaiseIOExceptions() throws IOException {
    Path good = dir.resolve("good.safetensors");
    SafeTensors.save(Map.of("w", Tensor.randn(4, 5), "i", Tensor.arange(7)), good, Map.of("k", "v"));
    byte[] bytes = Files.readAllBytes(good);
    Path f = dir.resolve("cut.safetensors");
    for (int n = 0; n < bytes.length; n++) { // every truncation
      Files.write(f, java.util.Arrays.copyOf(bytes, n));
      assertThrows(IOException.class, () -> SafeTensors.load(f), "truncated to " + n + " bytes");
    }
    java.util.Random r = new java.util.Random(3);
    int headerEnd = 8 + (int) java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    for (int trial = 0; trial < 300; trial++) { // flipped bytes in the header: an IOException or a valid load, nothing else
      byte[] bad = bytes.clone();
      bad[8 + r.nextInt(headerEnd - 8)] = (byte) r.nextInt(256);
      Files.write(f, bad);
      try {
        SafeTensors.load(f);
      } catch (IOException expected) {
        // the file is rejected with a message
      }
    }
    String[] lies = {
      "{\"x\":{\"dtype\":\"F32\",\"shape\":[1000000000000],\"data_offsets\":[0,4000000000000]}}",
      "{\"x\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,16]}}",
      "{\"x\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}",
      "{\"x\":{\"dtype\":\"Q7\",\"shape\":[4],\"data_offsets\":[0,16]}}",
      "{\"x\":{\"dtype\":\"F32\",\"shape\":[4]}}",
      "{\"x\":5}",
      "{\"__metadata__\":[1,2]}",
      "[1,2,3]"
    };
    for (String lie : lies) {
      byte[] json = lie.getBytes();
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + json.length + 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      b.putLong(json.length).put(json);
      Files.write(f, b.array());
      assertThrows(IOException.class, () -> SafeTensors.load(f), lie);
    }
  }

  @Test
  void savingIsAtomic() throws IOException {
    Path f = dir.resolve("model.safetensors");
    SafeTensors.save(Map.of("w", Tensor.ones(3)), f);
    byte[] before = Files.readAllBytes(f);
    Tensor b = Tensor.zeros(2);
    Map<String, Tensor> broken = new LinkedHashMap<>() {
      @Override
      public java.util.Collection<Tensor> values() {
        b.close(); // after the header is written, before b's data: the save fails half way
        return super.values();
      }
    };
    broken.put("a", Tensor.ones(1000));
    broken.put("b", b);
    assertThrows(RuntimeException.class, () -> SafeTensors.save(broken, f));
    assertArrayEquals(before, Files.readAllBytes(f), "the old file is intact");
    try (var files = Files.list(dir)) {
      assertEquals(java.util.List.of(f), files.toList(), "no temporary file is left behind");
    }
  }

  @Test
  void checkpointResumesTrainingExactly() throws IOException {
    Kiln.manualSeed(1);
    Sequential model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 1));
    Optimizer opt = new Adam(model.parameters(), 0.05);
    StepLR sched = new StepLR(opt, 2, 0.5);
    Tensor x = Tensor.randn(8, 3), y = Tensor.randn(8, 1);
    for (int i = 0; i < 3; i++) step(model, opt, x, y);
    sched.step();
    Path f = dir.resolve("ckpt.safetensors");
    Checkpoint.save(f, model, opt, sched, 3);

    Sequential copy = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 1));
    Optimizer copyOpt = new Adam(copy.parameters(), 0.05);
    StepLR copySched = new StepLR(copyOpt, 2, 0.5);
    assertEquals(3, Checkpoint.load(f, copy, copyOpt, copySched));
    assertEquals(opt.paramGroups().get(0).lr(), copyOpt.paramGroups().get(0).lr());
    for (int i = 0; i < 3; i++) {
      step(model, opt, x, y);
      step(copy, copyOpt, x, y);
      sched.step();
      copySched.step();
    }
    for (int i = 0; i < model.parameters().size(); i++)
      assertArrayEquals(model.parameters().get(i).toFloatArray(), copy.parameters().get(i).toFloatArray(), "parameter " + i);
  }

  private static void step(Sequential model, Optimizer opt, Tensor x, Tensor y) {
    opt.zeroGrad();
    model.call(x).sub(y).pow(2).mean().backward();
    opt.step();
  }

  private Path resource(String name) throws IOException {
    Path p = dir.resolve(name);
    try (InputStream in = SafeTensorsTest.class.getResourceAsStream("/fixtures/" + name)) {
      Files.copy(in, p);
    }
    return p;
  }
}
