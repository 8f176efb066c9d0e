package dev.kiln.parity;


/** Parity mapping: printing and checks made in Java (str, item, size). */
final class MiscOps {
  private MiscOps() {}

  static void register(OpMap m) {
    m.on("str", (x, a) -> x.get(0).toString());
    m.on("item", (x, a) -> x.get(0).item());
    m.on("size", (x, a) -> x.get(0).size(a.integer("dim")));  }
}
