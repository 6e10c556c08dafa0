package io.tidewatch.persistence.anomaly;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ONNX model file of the {@code onnx} rule, opened once per node: one {@link OrtSession} per model (by its path
 * and content hash), shared by every entity of every type that names it ({@code OrtSession.run} is thread-safe).
 * The model takes a float tensor [1, n] (n the rule's metrics, in order) and answers a float tensor whose first
 * element is the score. Entities score inline, on their own thread: a small model answers in microseconds
 * (docs/BENCHMARKS.md); each session runs single-threaded so that entities never wait on an ONNX Runtime pool.
 */
public final class OnnxModel {

  private static final Logger log = LoggerFactory.getLogger(OnnxModel.class);
  private static final Map<String, OnnxModel> OPEN = new ConcurrentHashMap<>();

  /** A model file that cannot be used: missing, not ONNX, or of the wrong inputs or outputs. */
  public static final class Invalid extends IllegalArgumentException {
    Invalid(String message) {
      super(message);
    }
  }

  private final Path path;
  private final String hash;
  private final OrtEnvironment env;
  private final OrtSession session;

  private OnnxModel(Path path, String hash, OrtEnvironment env, OrtSession session) {
    this.path = path;
    this.hash = hash;
    this.env = env;
    this.session = session;
  }

  /** The session of the model file at {@code path}, opened on first use of its current content. */
  public static OnnxModel open(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(absolute);
    } catch (IOException e) {
      throw new Invalid("cannot read ONNX model " + absolute + ": " + e);
    }
    return open(absolute, bytes);
  }

  /** The session of {@code bytes}, known as {@code path}. */
  public static OnnxModel open(Path path, byte[] bytes) {
    String hash = "sha256:" + sha256(bytes);
    return OPEN.computeIfAbsent(path + "@" + hash, key -> {
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        return new OnnxModel(path, hash, env, env.createSession(bytes, options));
      } catch (OrtException e) {
        throw new Invalid(path + " is not an ONNX model ONNX Runtime can load: " + e.getMessage());
      }
    });
  }

  /**
   * How a rule with {@code features} metrics uses this model: checks that {@code input} (null: the model's only
   * input) is a float tensor [1, n] and {@code output} (null: the first output) a float tensor, and that the model
   * answers zeros.
   *
   * @return the input and output names
   */
  public String[] bind(String input, String output, int features) {
    try {
      Map<String, NodeInfo> inputs = session.getInputInfo();
      if (input == null) {
        if (inputs.size() != 1) {
          throw new Invalid(path + " has inputs " + inputs.keySet() + ": name one with input = ...");
        }
        input = inputs.keySet().iterator().next();
      }
      NodeInfo in = inputs.get(input);
      if (in == null) {
        throw new Invalid(path + " has no input '" + input + "' (it has " + inputs.keySet() + ")");
      }
      if (!(in.getInfo() instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT || !fits(t.getShape(), features)) {
        throw new Invalid(path + ": input '" + input + "' is " + in.getInfo() + ", not a float tensor [1, " + features
            + "] (one value per metric)");
      }
      Map<String, NodeInfo> outputs = session.getOutputInfo();
      if (output == null) {
        output = outputs.keySet().iterator().next();
      }
      NodeInfo out = outputs.get(output);
      if (out == null) {
        throw new Invalid(path + " has no output '" + output + "' (it has " + outputs.keySet() + ")");
      }
      if (!(out.getInfo() instanceof TensorInfo o) || o.type != OnnxJavaType.FLOAT) {
        throw new Invalid(path + ": output '" + output + "' is " + out.getInfo() + ", not a float tensor");
      }
      if (Double.isNaN(run(input, output, new float[features]))) {
        throw new Invalid(path + ": output '" + output + "' is empty");
      }
      return new String[] {input, output};
    } catch (OrtException e) {
      throw new Invalid(path + " cannot score [1, " + features + "]: " + e.getMessage());
    }
  }

  private static boolean fits(long[] shape, int features) {
    return shape.length == 2 && (shape[0] == 1 || shape[0] < 0) && (shape[1] == features || shape[1] < 0);
  }

  /** The score of one reading's features: the first element of {@code output}; NaN if the model fails. */
  public double score(String input, String output, float[] features) {
    try {
      return run(input, output, features);
    } catch (OrtException e) {
      log.warn("ONNX model {} ({}) failed to score: {}", path, hash, e.getMessage());
      return Double.NaN;
    }
  }

  private double run(String input, String output, float[] features) throws OrtException {
    try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(features), new long[] {1, features.length});
        OrtSession.Result result = session.run(Map.of(input, x), Set.of(output))) {
      OnnxValue value = result.get(0);
      FloatBuffer scores = ((OnnxTensor) value).getFloatBuffer();
      return scores.hasRemaining() ? scores.get(0) : Double.NaN;
    }
  }

  public Path path() {
    return path;
  }

  /** {@code sha256:<hex>} of the model file's bytes, recorded in each hit. */
  public String hash() {
    return hash;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
