package io.tidewatch.persistence.anomaly;

import io.tidewatch.persistence.anomaly.onnx.OnnxIr.AttributeProto;
import io.tidewatch.persistence.anomaly.onnx.OnnxIr.GraphProto;
import io.tidewatch.persistence.anomaly.onnx.OnnxIr.ModelProto;
import io.tidewatch.persistence.anomaly.onnx.OnnxIr.NodeProto;
import io.tidewatch.persistence.anomaly.onnx.OnnxIr.OperatorSetIdProto;
import io.tidewatch.persistence.anomaly.onnx.OnnxIr.TensorProto;
import io.tidewatch.persistence.anomaly.onnx.OnnxIr.TensorShapeProto;
import io.tidewatch.persistence.anomaly.onnx.OnnxIr.TypeProto;
import io.tidewatch.persistence.anomaly.onnx.OnnxIr.ValueInfoProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Small ONNX models the tests write themselves (ir_version 8, opset 13): score = ReduceMax(|x − c|) / s over an
 * input {@code x} of [1, n], so a reading scores how many {@code s} its furthest metric is from its centre.
 */
public final class TestModels {

  private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
  private static final int INT64 = TensorProto.DataType.INT64_VALUE;

  private TestModels() {}

  /** score = max_i |x_i − c_i| / s, for a float input [1, c.length]. */
  public static byte[] distance(float[] c, float s) {
    return model(c, s, FLOAT);
  }

  /** The same model over an int64 input: not one the onnx rule takes. */
  public static byte[] distanceOverInts(float[] c, float s) {
    return model(c, s, INT64);
  }

  public static Path write(Path dir, String name, byte[] model) {
    try {
      return Files.write(dir.resolve(name), model);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] model(float[] c, float s, int inputType) {
    GraphProto.Builder graph = GraphProto.newBuilder().setName("distance")
        .addInput(value("x", inputType, 1, c.length))
        .addOutput(value("score", FLOAT, 1, 1))
        .addInitializer(floats("c", new long[] {1, c.length}, c))
        .addInitializer(floats("s", new long[0], new float[] {s}));
    String x = "x";
    if (inputType != FLOAT) {
      graph.addNode(node("Cast", x, "xf").addAttribute(
          AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT).setI(FLOAT)));
      x = "xf";
    }
    graph.addNode(node("Sub", x, "c", "d"))
        .addNode(node("Abs", "d", "a"))
        .addNode(node("ReduceMax", "a", "m").addAttribute(
            AttributeProto.newBuilder().setName("keepdims").setType(AttributeProto.AttributeType.INT).setI(1)))
        .addNode(node("Div", "m", "s", "score"));
    return ModelProto.newBuilder()
        .setIrVersion(8)
        .setProducerName("tidewatch-tests")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
        .setGraph(graph)
        .build()
        .toByteArray();
  }

  /** A node of {@code op}: its inputs, then its one output last. */
  private static NodeProto.Builder node(String op, String... names) {
    return NodeProto.newBuilder().setOpType(op).setName(op.toLowerCase() + "_" + names[names.length - 1])
        .addAllInput(Arrays.asList(names).subList(0, names.length - 1)).addOutput(names[names.length - 1]);
  }

  private static ValueInfoProto value(String name, int elemType, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder().setName(name)
        .setType(TypeProto.newBuilder().setTensorType(
            TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape)))
        .build();
  }

  private static TensorProto floats(String name, long[] dims, float[] values) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(FLOAT);
    for (long d : dims) {
      t.addDims(d);
    }
    for (float v : values) {
      t.addFloatData(v);
    }
    return t.build();
  }
}
