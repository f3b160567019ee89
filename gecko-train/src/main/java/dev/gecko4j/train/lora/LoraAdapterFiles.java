package dev.gecko4j.train.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.internal.GeckoJson;
import dev.gecko4j.onnx.ModelSpec;
import dev.gecko4j.onnx.SafeTensors;
import dev.gecko4j.train.TrainableEncoder;
import dev.gecko4j.train.onnx.LoraAdapters;
import dev.gecko4j.train.checkpoint.DurableFiles;
import dev.gecko4j.train.checkpoint.FileSink;
import dev.gecko4j.train.internal.EncoderInternals;
import dev.gecko4j.train.export.ModelExporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The adapters alone, in PEFT's layout: {@code adapter_model.safetensors} (float32 {@code
 * base_model.model.<module>.lora_A.weight} {@code [r, in]} and {@code ...lora_B.weight} {@code
 * [out, r]}) and {@code adapter_config.json} ({@code peft_type: LORA}, {@code r}, {@code
 * lora_alpha}, {@code lora_dropout}, {@code target_modules} (the exact module names adapted),
 * {@code base_model_name_or_path}, {@code bias: none}, {@code fan_in_fan_out: false}). {@link
 * #merge} applies such a folder to its base model and writes the merged model folder, the same
 * one the trainer exports.
 *
 * <p>A Dense head trained beside the adapters is not part of the adapter folder (PEFT would keep
 * it in {@code modules_to_save}); it is in the trainer's merged export.
 */
public final class LoraAdapterFiles {
  /** The adapter weights file. */
  public static final String WEIGHTS = "adapter_model.safetensors";
  /** The adapter configuration file. */
  public static final String CONFIG = "adapter_config.json";

  private static final ObjectMapper JSON = GeckoJson.mapper();

  private LoraAdapterFiles() {}

  /**
   * An adapter folder as read.
   *
   * @param config rank, alpha and dropout, with the exact module names as targets
   * @param modules the adapted module names, in file order
   * @param baseModel {@code base_model_name_or_path}
   * @param values the adapter values by parameter name
   */
  public record Adapter(LoraConfig config, List<String> modules, String baseModel,
      Map<String, float[]> values) {}

  /**
   * Writes the adapters of {@code encoder} into {@code directory}, complete or absent (a
   * temporary folder beside it, each file forced to disk, renamed into place).
   *
   * @param encoder an encoder with adapters ({@link TrainableEncoder#lora()})
   * @param directory the folder: absent, or an earlier adapter folder
   * @param baseModel what {@code base_model_name_or_path} records (a bundled name or a folder)
   * @return the folder
   * @throws IllegalArgumentException if the encoder has no adapters, or {@code directory} holds
   *     other files
   * @throws UncheckedIOException naming the file if writing fails
   */
  public static Path write(TrainableEncoder encoder, Path directory, String baseModel) {
    Args.notNull(encoder, "encoder");
    Args.notNull(directory, "directory");
    Args.notBlank(baseModel, "baseModel");
    LoraAdapters lora = EncoderInternals.access().lora(encoder).orElseThrow(() -> new IllegalArgumentException(
        "the encoder has no LoRA adapters to write (open it with a LoraConfig)"));
    Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
    Map<String, long[]> shapes = lora.shapes();
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      tensors.put(e.getKey(), SafeTensors.Tensor.of(encoder.parameters().get(e.getKey()).clone(),
          e.getValue()));
    }
    LoraConfig c = lora.config();
    ObjectNode cfg = JSON.createObjectNode();
    cfg.put("peft_type", "LORA");
    cfg.put("task_type", "FEATURE_EXTRACTION");
    cfg.put("base_model_name_or_path", baseModel);
    cfg.put("r", c.rank());
    cfg.put("lora_alpha", c.alpha());
    cfg.put("lora_dropout", c.dropout());
    ArrayNode modules = cfg.putArray("target_modules");
    lora.targets().forEach(t -> modules.add(t.module()));
    cfg.put("bias", "none");
    cfg.put("fan_in_fan_out", false);
    cfg.put("inference_mode", true);
    cfg.put("init_lora_weights", true);
    cfg.putNull("modules_to_save");
    ObjectNode gecko = cfg.putObject("gecko4j");
    gecko.putPOJO("targets", c.targets());
    gecko.put("seed", c.seed());
    return DurableFiles.replaceFolder(directory, Set.of(WEIGHTS, CONFIG)::contains,
        "the LoRA adapters", tmp -> {
          DurableFiles.write(FileSink.DISK, tmp.resolve(WEIGHTS), SafeTensors.toBytes(tensors));
          DurableFiles.write(FileSink.DISK, tmp.resolve(CONFIG),
              JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(cfg));
        });
  }

  /**
   * Reads an adapter folder.
   *
   * @param directory a folder with {@value #CONFIG} ({@code peft_type} LORA) and {@value #WEIGHTS}
   * @return the adapter
   * @throws IllegalArgumentException naming the file and the problem if the folder is not a LoRA
   *     adapter or its tensors do not match its configuration
   * @throws UncheckedIOException if a file cannot be read
   */
  public static Adapter read(Path directory) {
    Args.notNull(directory, "directory");
    Path cfgFile = directory.resolve(CONFIG);
    Path weights = directory.resolve(WEIGHTS);
    if (!Files.isRegularFile(cfgFile) || !Files.isRegularFile(weights)) {
      throw new IllegalArgumentException("directory must be a LoRA adapter folder with " + CONFIG
          + " and " + WEIGHTS + ", but is: " + directory);
    }
    JsonNode cfg;
    try {
      cfg = JSON.readTree(cfgFile.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(cfgFile + " is not valid JSON: " + e.getMessage(), e);
    }
    if (!"LORA".equals(cfg.path("peft_type").asText())) {
      throw new IllegalArgumentException(cfgFile + ": peft_type must be LORA, but is: "
          + cfg.path("peft_type"));
    }
    if (cfg.path("fan_in_fan_out").asBoolean(false)) {
      throw new IllegalArgumentException(cfgFile + ": fan_in_fan_out adapters (GPT-2 Conv1D) are "
          + "not supported");
    }
    int r = cfg.path("r").asInt(0);
    double alpha = cfg.path("lora_alpha").asDouble(r);
    double dropout = cfg.path("lora_dropout").asDouble(0);
    List<String> modules = new ArrayList<>();
    cfg.path("target_modules").forEach(n -> modules.add(n.asText()));
    if (r < 1 || modules.isEmpty()) {
      throw new IllegalArgumentException(cfgFile + ": expected r >= 1 and a list of target_modules, "
          + "but r is " + cfg.path("r") + " and target_modules " + cfg.path("target_modules"));
    }
    Map<String, SafeTensors.Tensor> tensors = SafeTensors.read(weights);
    Map<String, float[]> values = new LinkedHashMap<>();
    for (String m : modules) {
      String a = LoraAdapters.PEFT_PREFIX + m + ".lora_A.weight";
      String b = LoraAdapters.PEFT_PREFIX + m + ".lora_B.weight";
      SafeTensors.Tensor ta = tensors.get(a);
      SafeTensors.Tensor tb = tensors.get(b);
      if (ta == null || tb == null || ta.shape().length != 2 || tb.shape().length != 2
          || ta.shape()[0] != r || tb.shape()[1] != r) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "%s: module %s needs %s [%d, in] and %s [out, %d]", weights, m, a, r, b, r));
      }
      values.put(a, ta.values());
      values.put(b, tb.values());
    }
    List<String> exact = modules.stream().map(Pattern::quote).toList();
    LoraConfig config = new LoraConfig(r, alpha, dropout, exact, 0);
    return new Adapter(config, List.copyOf(modules), cfg.path("base_model_name_or_path").asText(null),
        values);
  }

  /**
   * Applies an adapter folder to its base model and writes the merged model folder ({@code W +
   * (alpha / r) A^T B^T} in each adapted weight), as the trainer's export does: same graph, same
   * configuration files, so {@code OnnxEmbedder} serves it like the trainer's own export.
   *
   * @param base the base model the adapters were trained on; not null
   * @param adapterDirectory the adapter folder
   * @param out the model folder to write (absent, empty, or an earlier export)
   * @return the model folder
   * @throws IOException if a file cannot be read
   * @throws IllegalArgumentException if the adapters do not fit the base model (a module it does
   *     not have, or another shape)
   */
  public static Path merge(ModelSpec base, Path adapterDirectory, Path out) throws IOException {
    Args.notNull(base, "base");
    Args.notNull(out, "out");
    Adapter adapter = read(adapterDirectory);
    try (TrainableEncoder encoder = TrainableEncoder.open(base, null, 0, adapter.config())) {
      LoraAdapters lora = EncoderInternals.access().lora(encoder).orElseThrow();
      List<String> found = lora.targets().stream().map(LoraAdapters.Target::module).toList();
      if (!new java.util.HashSet<>(found).equals(new java.util.HashSet<>(adapter.modules()))) {
        List<String> missing = new ArrayList<>(adapter.modules());
        missing.removeAll(found);
        throw new IllegalArgumentException("the adapters in " + adapterDirectory + " do not fit "
            + base.name() + ": modules " + missing + " are not projections of its graph");
      }
      for (Map.Entry<String, long[]> e : lora.shapes().entrySet()) {
        float[] v = adapter.values().get(e.getKey());
        float[] into = encoder.parameters().get(e.getKey());
        if (v.length != into.length) {
          throw new IllegalArgumentException(String.format(Locale.ROOT,
              "%s in %s has %d values, but %s of %s needs %s", e.getKey(), adapterDirectory,
              v.length, e.getKey(), base.name(), java.util.Arrays.toString(e.getValue())));
        }
        System.arraycopy(v, 0, into, 0, v.length);
      }
      byte[] configJson = base.folder() != null && Files.isRegularFile(base.folder().resolve("config.json"))
          ? Files.readAllBytes(base.folder().resolve("config.json")) : null;
      return ModelExporter.export(encoder, out, configJson, ModelExporter.exportSpec(encoder,
          base.maxLength(), base.prompts(), base.promptConventionName()));
    }
  }
}
