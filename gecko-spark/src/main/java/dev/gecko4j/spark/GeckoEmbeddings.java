package dev.gecko4j.spark;

import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML {@link Transformer} that appends a gecko4j embedding ({@code array<float>}) of a text
 * column to every row, computed by an {@link OnnxEmbedder} on the executors.
 *
 * {@snippet lang=java :
 * GeckoEmbeddings embed = new GeckoEmbeddings()
 *     .setInputCol("text").setTitleCol("title").setOutputCol("embedding")
 *     .setModel("bge-small-en-v1.5").setPrompt("document");
 * Dataset<Row> vectors = embed.transform(corpus);
 * embed.write().overwrite().save("/models/embed-stage");   // and GeckoEmbeddings.load(path)
 * }
 *
 * <p><b>Parameters.</b> {@code inputCol} (string column, required), {@code outputCol} (default
 * {@code embedding}), {@code titleCol} (optional string column, documents only), {@code model} (a
 * bundled model name, default {@code bge-small-en-v1.5}) or {@code modelFolder} (a model folder
 * readable on every executor; when set it wins over {@code model}), {@code prompt}
 * ({@code document} (default), {@code none}, {@code query:<task>} or {@code symmetric:<task>}),
 * {@code dimension} (Matryoshka truncation, 0 = the model's), {@code tokenBudget} (padded tokens
 * per ONNX batch, 0 = the embedder's default), {@code intraOpThreads} (ONNX Runtime threads per
 * executor embedder, default 1: Spark already runs one task per core) and {@code batchSize}
 * (texts per embedder call, default 256).
 *
 * <p><b>Executors.</b> Each executor JVM builds one embedder per distinct setting, lazily in its
 * first task, shares it among all its tasks and closes it at JVM shutdown. A partition is embedded
 * in chunks of {@code batchSize} texts (the embedder sorts each chunk by length and cuts it into
 * token-budgeted batches), never one text per call. A {@code null} text gives a {@code null}
 * embedding; the vectors equal {@link OnnxEmbedder#embedAll}'s for the same texts.
 *
 * <p><b>JVM flags.</b> Spark needs its module flags on JDK 17+
 * ({@code org.apache.spark.launcher.JavaModuleOptions.defaultModuleOptions()}); see the README.
 */
public final class GeckoEmbeddings extends Transformer implements DefaultParamsWritable {

  private static final long serialVersionUID = 1L;

  /** The bundled model used when neither {@code model} nor {@code modelFolder} is set. */
  public static final String DEFAULT_MODEL = Models.BGE_SMALL_EN_V15.modelName();

  private static final DefaultParamsReadable<GeckoEmbeddings> READABLE =
      new DefaultParamsReadable<GeckoEmbeddings>() { };

  private final String uid;
  private final Param<String> inputCol;
  private final Param<String> outputCol;
  private final Param<String> titleCol;
  private final Param<String> model;
  private final Param<String> modelFolder;
  private final Param<String> prompt;
  private final IntParam dimension;
  private final IntParam maxLength;
  private final IntParam tokenBudget;
  private final IntParam intraOpThreads;
  private final IntParam batchSize;

  /** Creates the transformer with a random uid and the default parameters. */
  public GeckoEmbeddings() {
    this(Identifiable.randomUID("geckoEmbeddings"));
  }

  /**
   * Creates the transformer with the given uid (used by ML persistence and {@link #copy}).
   *
   * @param uid the uid; not blank
   * @throws IllegalArgumentException if {@code uid} is null or blank
   */
  public GeckoEmbeddings(String uid) {
    if (uid == null || uid.isBlank()) {
      throw new IllegalArgumentException("uid must be a non-blank string, but is: "
          + (uid == null ? "null" : "'" + uid + "'"));
    }
    this.uid = uid;
    inputCol = new Param<>(this, "inputCol", "input column of texts (string)");
    outputCol = new Param<>(this, "outputCol", "output column of embeddings (array<float>)");
    titleCol = new Param<>(this, "titleCol",
        "optional column of document titles (string), used with prompt 'document' only");
    model = new Param<>(this, "model", "bundled model name, e.g. " + DEFAULT_MODEL);
    modelFolder = new Param<>(this, "modelFolder",
        "model folder readable on every executor; wins over 'model' when set");
    prompt = new Param<>(this, "prompt",
        "'document', 'none', 'query:<task>' or 'symmetric:<task>'");
    dimension = new IntParam(this, "dimension", "Matryoshka dimension, 0 for the model's own");
    maxLength = new IntParam(this, "maxLength",
        "token limit per text, 0 for the model's own (longer texts are truncated)");
    tokenBudget = new IntParam(this, "tokenBudget",
        "padded tokens per ONNX batch, 0 for the embedder's default");
    intraOpThreads = new IntParam(this, "intraOpThreads",
        "ONNX Runtime threads per executor embedder, 0 for ONNX Runtime's choice");
    batchSize = new IntParam(this, "batchSize", "texts per embedder call");
    setDefault(outputCol, "embedding");
    setDefault(model, DEFAULT_MODEL);
    setDefault(prompt, "document");
    setDefault(dimension, (Object) 0);
    setDefault(maxLength, (Object) 0);
    setDefault(tokenBudget, (Object) 0);
    setDefault(intraOpThreads, (Object) 1);
    setDefault(batchSize, (Object) 256);
  }

  /** {@return a reader for saved transformers} */
  public static MLReader<GeckoEmbeddings> read() {
    return READABLE.read();
  }

  /**
   * Loads a transformer saved with {@code write().save(path)}.
   *
   * @param path the saved transformer's directory (any Hadoop file system path)
   * @return the transformer with the saved uid and parameters
   */
  public static GeckoEmbeddings load(String path) {
    return READABLE.load(path);
  }

  @Override
  public String uid() {
    return uid;
  }

  // ---- params (public no-argument methods returning Param: Spark finds them by reflection)

  /** {@return the input column param} */
  public Param<String> inputCol() {
    return inputCol;
  }

  /** {@return the output column param} */
  public Param<String> outputCol() {
    return outputCol;
  }

  /** {@return the title column param} */
  public Param<String> titleCol() {
    return titleCol;
  }

  /** {@return the bundled model param} */
  public Param<String> model() {
    return model;
  }

  /** {@return the model folder param} */
  public Param<String> modelFolder() {
    return modelFolder;
  }

  /** {@return the prompt param} */
  public Param<String> prompt() {
    return prompt;
  }

  /** {@return the Matryoshka dimension param} */
  public IntParam dimension() {
    return dimension;
  }

  /** {@return the token limit param} */
  public IntParam maxLength() {
    return maxLength;
  }

  /** {@return the token budget param} */
  public IntParam tokenBudget() {
    return tokenBudget;
  }

  /** {@return the intra-op threads param} */
  public IntParam intraOpThreads() {
    return intraOpThreads;
  }

  /** {@return the batch size param} */
  public IntParam batchSize() {
    return batchSize;
  }

  // ---- getters

  /** {@return the input column, or {@code null} when not set} */
  public String getInputCol() {
    return isDefined(inputCol) ? getOrDefault(inputCol) : null;
  }

  /** {@return the output column} */
  public String getOutputCol() {
    return getOrDefault(outputCol);
  }

  /** {@return the title column, or {@code null} when not set} */
  public String getTitleCol() {
    return isDefined(titleCol) ? getOrDefault(titleCol) : null;
  }

  /** {@return the bundled model name} */
  public String getModel() {
    return getOrDefault(model);
  }

  /** {@return the model folder, or {@code null} when not set} */
  public String getModelFolder() {
    return isDefined(modelFolder) ? getOrDefault(modelFolder) : null;
  }

  /** {@return the prompt} */
  public String getPrompt() {
    return getOrDefault(prompt);
  }

  /** {@return the Matryoshka dimension (0: the model's)} */
  public int getDimension() {
    return (Integer) getOrDefault(dimension);
  }

  /** {@return the token limit per text (0: the model's own)} */
  public int getMaxLength() {
    return (Integer) $(maxLength);
  }

  /** {@return the padded tokens per ONNX batch (0: the embedder's default)} */
  public int getTokenBudget() {
    return (Integer) getOrDefault(tokenBudget);
  }

  /** {@return ONNX Runtime threads per executor embedder} */
  public int getIntraOpThreads() {
    return (Integer) getOrDefault(intraOpThreads);
  }

  /** {@return texts per embedder call} */
  public int getBatchSize() {
    return (Integer) getOrDefault(batchSize);
  }

  // ---- setters (validate, name the bad value and what is expected)

  /**
   * Sets the column of texts to embed.
   *
   * @param column a non-blank column name
   * @return this transformer
   * @throws IllegalArgumentException if {@code column} is null or blank
   */
  public GeckoEmbeddings setInputCol(String column) {
    set(inputCol, requireName("inputCol", column));
    return this;
  }

  /**
   * Sets the column the embeddings are written to ({@code array<float>}).
   *
   * @param column a non-blank column name, not already in the input
   * @return this transformer
   * @throws IllegalArgumentException if {@code column} is null or blank
   */
  public GeckoEmbeddings setOutputCol(String column) {
    set(outputCol, requireName("outputCol", column));
    return this;
  }

  /**
   * Sets the column of document titles (prompt {@code document} only); {@code null} unsets it.
   *
   * @param column a non-blank column name, or {@code null}
   * @return this transformer
   * @throws IllegalArgumentException if {@code column} is blank
   */
  public GeckoEmbeddings setTitleCol(String column) {
    if (column == null) {
      clear(titleCol);
    } else {
      set(titleCol, requireName("titleCol", column));
    }
    return this;
  }

  /**
   * Sets a bundled model by name and unsets {@code modelFolder}.
   *
   * @param name a bundled model name (see {@link Models#byName})
   * @return this transformer
   * @throws IllegalArgumentException naming the bundled models if none matches
   */
  public GeckoEmbeddings setModel(String name) {
    set(model, Models.byName(name).modelName());
    clear(modelFolder);
    return this;
  }

  /**
   * Sets a model folder (HuggingFace / sentence-transformers layout) that every executor can
   * read at the same path; it wins over {@code model}. {@code null} unsets it.
   *
   * @param folder a non-blank path, or {@code null}
   * @return this transformer
   * @throws IllegalArgumentException if {@code folder} is blank
   */
  public GeckoEmbeddings setModelFolder(String folder) {
    if (folder == null) {
      clear(modelFolder);
    } else {
      set(modelFolder, requireName("modelFolder", folder));
    }
    return this;
  }

  /**
   * Sets the prompt: {@code document}, {@code none}, {@code query:<task>} or
   * {@code symmetric:<task>} (e.g. {@code query:search result}).
   *
   * @param spec the prompt
   * @return this transformer
   * @throws IllegalArgumentException naming the accepted forms if {@code spec} is none of them
   */
  public GeckoEmbeddings setPrompt(String spec) {
    parsePrompt(spec);
    set(prompt, spec);
    return this;
  }

  /**
   * Sets a Matryoshka dimension (embeddings keep their first values, renormalised); 0 keeps the
   * model's own. Checked against the model when the executors build their embedder.
   *
   * @param value {@code >= 0}
   * @return this transformer
   * @throws IllegalArgumentException if negative
   */
  public GeckoEmbeddings setDimension(int value) {
    set(dimension, (Object) checkRange("dimension", value, 0, 1 << 16));
    return this;
  }

  /**
   * Sets the token limit per text (longer texts are truncated, after the prompt); 0 keeps the
   * model's own. Lower is faster on long passages.
   *
   * @param value 0, or between 1 and 8192
   * @return this transformer
   * @throws IllegalArgumentException if out of range
   */
  public GeckoEmbeddings setMaxLength(int value) {
    set(maxLength, (Object) checkRange("maxLength", value, 0, 8192));
    return this;
  }

  /**
   * Sets the padded tokens per ONNX batch; 0 keeps the embedder's default.
   *
   * @param value 0, or between 1 and 1048576
   * @return this transformer
   * @throws IllegalArgumentException if out of range
   */
  public GeckoEmbeddings setTokenBudget(int value) {
    set(tokenBudget, (Object) checkRange("tokenBudget", value, 0, 1 << 20));
    return this;
  }

  /**
   * Sets ONNX Runtime's intra-op threads of each executor embedder (0: ONNX Runtime's choice).
   * The default 1 suits Spark, which runs one task per core; raise it with
   * {@code spark.task.cpus}.
   *
   * @param value between 0 and 1024
   * @return this transformer
   * @throws IllegalArgumentException if out of range
   */
  public GeckoEmbeddings setIntraOpThreads(int value) {
    set(intraOpThreads, (Object) checkRange("intraOpThreads", value, 0, 1024));
    return this;
  }

  /**
   * Sets how many texts of a partition go to the embedder in one call.
   *
   * @param value between 1 and 65536
   * @return this transformer
   * @throws IllegalArgumentException if out of range
   */
  public GeckoEmbeddings setBatchSize(int value) {
    set(batchSize, (Object) checkRange("batchSize", value, 1, 1 << 16));
    return this;
  }

  // ---- Transformer

  @Override
  public StructType transformSchema(StructType schema) {
    if (schema == null) {
      throw new IllegalArgumentException("schema must not be null");
    }
    String in = getInputCol();
    if (in == null) {
      throw new IllegalArgumentException("inputCol is not set; call setInputCol(<string column>)");
    }
    requireStringColumn(schema, "inputCol", in);
    TaskPrompt parsed = parsePrompt(getPrompt());
    String title = getTitleCol();
    if (title != null) {
      if (parsed.kind() != TaskPrompt.Kind.DOCUMENT) {
        throw new IllegalArgumentException("titleCol '" + title + "' is only used with prompt "
            + "'document', but prompt is '" + getPrompt() + "'; unset it with setTitleCol(null)");
      }
      requireStringColumn(schema, "titleCol", title);
    }
    String out = getOutputCol();
    if (Arrays.asList(schema.fieldNames()).contains(out)) {
      throw new IllegalArgumentException("outputCol '" + out + "' already exists in the input "
          + "columns " + Arrays.toString(schema.fieldNames()) + "; choose another name");
    }
    return schema.add(DataTypes.createStructField(out,
        DataTypes.createArrayType(DataTypes.FloatType, false), true));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    if (dataset == null) {
      throw new IllegalArgumentException("dataset must not be null");
    }
    Dataset<Row> df = dataset.toDF();
    StructType out = transformSchema(df.schema());
    int textIndex = df.schema().fieldIndex(getInputCol());
    int titleIndex = getTitleCol() == null ? -1 : df.schema().fieldIndex(getTitleCol());
    EmbedPartition fn = new EmbedPartition(settings(), getPrompt(), textIndex, titleIndex,
        getBatchSize());
    return df.mapPartitions(fn, Encoders.row(out));
  }

  @Override
  public GeckoEmbeddings copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** {@return the settings the executors build their embedder from} */
  EmbedderSettings settings() {
    return new EmbedderSettings(getModel(), getModelFolder(), getDimension(), getMaxLength(),
        getTokenBudget(), getIntraOpThreads());
  }

  // ---- helpers

  /**
   * Parses a prompt spec: {@code document}, {@code none}, {@code query:<task>} or
   * {@code symmetric:<task>}.
   *
   * @param spec the spec
   * @return the prompt (for {@code document}, the untitled one)
   * @throws IllegalArgumentException naming the accepted forms if {@code spec} is none of them
   */
  static TaskPrompt parsePrompt(String spec) {
    if (spec != null) {
      String s = spec.trim();
      if (s.equalsIgnoreCase("document")) {
        return TaskPrompt.document();
      }
      if (s.equalsIgnoreCase("none")) {
        return TaskPrompt.none();
      }
      int colon = s.indexOf(':');
      if (colon > 0 && !s.substring(colon + 1).isBlank()) {
        String kind = s.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String task = s.substring(colon + 1).trim();
        if (kind.equals("query")) {
          return TaskPrompt.query(task);
        }
        if (kind.equals("symmetric")) {
          return TaskPrompt.symmetric(task);
        }
      }
    }
    throw new IllegalArgumentException("prompt must be 'document', 'none', 'query:<task>' or "
        + "'symmetric:<task>' (tasks such as " + TaskPrompt.KNOWN_TASKS + "), but is: "
        + (spec == null ? "null" : "'" + spec + "'"));
  }

  private static String requireName(String what, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " must be a non-blank string, but is: "
          + (value == null ? "null" : "'" + value + "'"));
    }
    return value;
  }

  private static int checkRange(String what, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          what + " must be between " + min + " and " + max + ", but is: " + value);
    }
    return value;
  }

  private static void requireStringColumn(StructType schema, String what, String column) {
    List<String> names = Arrays.asList(schema.fieldNames());
    if (!names.contains(column)) {
      throw new IllegalArgumentException(what + " '" + column + "' is not a column of the input; "
          + "columns are " + names);
    }
    StructField f = schema.apply(column);
    DataType type = f.dataType();
    if (!type.equals(DataTypes.StringType)) {
      throw new IllegalArgumentException(what + " '" + column + "' must be a string column, but "
          + "is " + type.simpleString());
    }
  }
}
