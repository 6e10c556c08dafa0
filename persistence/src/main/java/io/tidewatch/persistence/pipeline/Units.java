package io.tidewatch.persistence.pipeline;

import java.util.Map;

/**
 * The units a pipeline's {@code convert} step knows, each an affine map to its dimension's base unit
 * ({@code base = value · scale + offset}), so any two units of one dimension convert by {@code v · a + b}. A short
 * table on purpose: what sensors send (temperature, pressure, speed, length, mass), nothing that needs a parser.
 */
final class Units {

  private record Unit(String dimension, double scale, double offset) {}

  private static final Map<String, Unit> UNITS = Map.ofEntries(
      Map.entry("K", new Unit("temperature", 1, 0)),
      Map.entry("degC", new Unit("temperature", 1, 273.15)),
      Map.entry("degF", new Unit("temperature", 5.0 / 9.0, 273.15 - 32 * 5.0 / 9.0)),
      Map.entry("Pa", new Unit("pressure", 1, 0)),
      Map.entry("hPa", new Unit("pressure", 100, 0)),
      Map.entry("kPa", new Unit("pressure", 1000, 0)),
      Map.entry("bar", new Unit("pressure", 100_000, 0)),
      Map.entry("psi", new Unit("pressure", 6894.757293168, 0)),
      Map.entry("m/s", new Unit("speed", 1, 0)),
      Map.entry("km/h", new Unit("speed", 1 / 3.6, 0)),
      Map.entry("mph", new Unit("speed", 0.44704, 0)),
      Map.entry("kn", new Unit("speed", 1852.0 / 3600, 0)),
      Map.entry("m", new Unit("length", 1, 0)),
      Map.entry("cm", new Unit("length", 0.01, 0)),
      Map.entry("mm", new Unit("length", 0.001, 0)),
      Map.entry("km", new Unit("length", 1000, 0)),
      Map.entry("ft", new Unit("length", 0.3048, 0)),
      Map.entry("in", new Unit("length", 0.0254, 0)),
      Map.entry("mi", new Unit("length", 1609.344, 0)),
      Map.entry("g", new Unit("mass", 0.001, 0)),
      Map.entry("kg", new Unit("mass", 1, 0)),
      Map.entry("lb", new Unit("mass", 0.45359237, 0)));

  private Units() {}

  /** {@code to = from · scale + offset}; throws naming the known units when either is unknown or they differ in kind. */
  static Conversion between(String from, String to) {
    Unit f = UNITS.get(from);
    Unit t = UNITS.get(to);
    if (f == null || t == null) {
      throw new IllegalArgumentException(
          "unknown unit " + (f == null ? from : to) + "; known: " + UNITS.keySet().stream().sorted().toList());
    }
    if (!f.dimension().equals(t.dimension())) {
      throw new IllegalArgumentException(
          "cannot convert " + from + " (" + f.dimension() + ") to " + to + " (" + t.dimension() + ")");
    }
    return new Conversion(f.scale() / t.scale(), (f.offset() - t.offset()) / t.scale());
  }

  /** An affine conversion; every scale in the table is positive, so it keeps order (a range's min stays its min). */
  record Conversion(double scale, double offset) {
    double apply(double value) {
      return value * scale + offset;
    }
  }
}
