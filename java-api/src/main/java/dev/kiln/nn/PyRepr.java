package dev.kiln.nn;

import java.math.BigDecimal;

/** Numbers as Python's repr writes them, for modules' printed settings to read as PyTorch's do. */
final class PyRepr {
  private PyRepr() {}

  /** A tuple of ints as Python prints it: (3,) or (3, 3). */
  static String tuple(int[] values) {
    if (values.length == 1) return "(" + values[0] + ",)";
    StringBuilder s = new StringBuilder("(");
    for (int i = 0; i < values.length; i++) s.append(i == 0 ? "" : ", ").append(values[i]);
    return s.append(')').toString();
  }

  /** An int-or-tuple argument as PyTorch keeps it: the int when one was given for every dim, else the tuple. */
  static String intOrTuple(int[] values, boolean single) {
    return single ? Integer.toString(values[0]) : tuple(values);
  }

  /** repr(float): shortest digits; fixed notation for exponents -4..15, else 1e-05 / 1.5e+16. */
  static String num(double v) {
    if (Double.isNaN(v)) return "nan";
    if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
    if (v == 0) return 1 / v < 0 ? "-0.0" : "0.0";
    BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
    String digits = d.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - d.scale();
    String sign = v < 0 ? "-" : "";
    if (exponent >= -4 && exponent < 16) {
      String plain = d.abs().toPlainString();
      return sign + (plain.contains(".") ? plain : plain + ".0");
    }
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    return String.format("%s%se%s%02d", sign, mantissa, exponent < 0 ? "-" : "+", Math.abs(exponent));
  }

  /** repr(tuple) of ints: (5,) or (3, 4). */
  static String tuple(long[] values) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < values.length; i++) sb.append(i > 0 ? ", " : "").append(values[i]);
    return sb.append(values.length == 1 ? ",)" : ")").toString();
  }
}
