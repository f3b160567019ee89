package dev.gecko4j.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gecko4j.core.Pooling;
import dev.gecko4j.core.PromptConvention;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a model folder in HuggingFace / sentence-transformers layout: {@code model.onnx} or {@code
 * onnx/model.onnx}, {@code tokenizer.json}, {@code modules.json}, the pooling module's {@code
 * config.json} (usually {@code 1_Pooling/}), {@code sentence_bert_config.json} (max length) and
 * {@code config_sentence_transformers.json} (prompts: {@code query} for queries, {@code document}
 * or {@code passage} for documents, and for symmetric texts the prompt {@code
 * default_prompt_name} names, else none, as sentence-transformers does).
 */
record ModelFolder(Path folder, Path model, Path tokenizer, Pooling pooling, boolean normalize,
    int maxLength, PromptConvention convention, String conventionName) {

  private static final System.Logger LOG = System.getLogger(ModelFolder.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  static ModelFolder read(Path folder) {
    if (!Files.isDirectory(folder)) {
      throw ModelLoadException.of(folder, Files.exists(folder)
          ? "found a file, expected a model folder (sentence-transformers layout)"
          : "found nothing, expected a model folder (sentence-transformers layout)");
    }
    Path model = folder.resolve("model.onnx");
    if (!Files.isRegularFile(model)) {
      model = folder.resolve("onnx").resolve("model.onnx");
    }
    if (!Files.isRegularFile(model)) {
      throw ModelLoadException.of(folder,
          "found " + listing(folder) + ", expected model.onnx or onnx/model.onnx");
    }
    Path tokenizer = folder.resolve("tokenizer.json");
    if (!Files.isRegularFile(tokenizer)) {
      throw ModelLoadException.of(folder,
          "found " + listing(folder) + ", expected tokenizer.json (HuggingFace fast tokenizer)");
    }

    // modules.json: the pipeline; tells where Pooling lives and whether Normalize follows.
    Path modules = folder.resolve("modules.json");
    String poolingDir = "1_Pooling";
    boolean normalize = false;
    if (Files.isRegularFile(modules)) {
      JsonNode mods = readJson(modules, "a JSON array of {idx, name, path, type}");
      if (!mods.isArray()) {
        throw ModelLoadException.of(modules,
            "found " + mods.getNodeType() + ", expected a JSON array of {idx, name, path, type}");
      }
      for (JsonNode m : mods) {
        String type = m.path("type").asText("");
        if (type.endsWith(".Pooling")) {
          poolingDir = m.path("path").asText(poolingDir);
        } else if (type.endsWith(".Normalize")) {
          normalize = true;
        }
      }
    }

    Pooling pooling = Pooling.MEAN;
    Path poolingConfig = folder.resolve(poolingDir).resolve("config.json");
    if (Files.isRegularFile(poolingConfig)) {
      pooling = parsePooling(poolingConfig, readJson(poolingConfig, "a pooling config"));
    } else {
      LOG.log(System.Logger.Level.INFO,
          "{0} has no {1}/config.json; using mean pooling (sentence-transformers'' default)",
          folder, poolingDir);
    }

    int maxLength = readMaxLength(folder);

    PromptConvention convention = PromptConvention.NONE;
    String conventionName = "NONE";
    Path stConfig = folder.resolve("config_sentence_transformers.json");
    if (Files.isRegularFile(stConfig)) {
      JsonNode st = readJson(stConfig, "a sentence-transformers config");
      JsonNode prompts = st.path("prompts");
      if (prompts.isObject() && !prompts.isEmpty()) {
        String query = prompts.path("query").asText("");
        String document = prompts.has("document") ? prompts.path("document").asText("")
            : prompts.path("passage").asText("");
        // As in sentence-transformers: a text encoded without a prompt name gets the prompt named
        // by default_prompt_name, or none. Symmetric tasks (STS, classification) name no side.
        String defaultName = st.path("default_prompt_name").isTextual()
            ? st.path("default_prompt_name").asText() : null;
        if (defaultName != null && !prompts.path(defaultName).isTextual()) {
          throw ModelLoadException.of(stConfig, "found default_prompt_name '" + defaultName
              + "', expected the name of one of the prompts " + fieldNames(prompts));
        }
        String symmetric = defaultName == null ? "" : prompts.path(defaultName).asText();
        convention = PromptConvention.prefixes(query, document, symmetric);
        conventionName = "prefixes(query='" + query + "', document='" + document
            + "', symmetric='" + symmetric + "')";
      }
    }
    return new ModelFolder(folder, model, tokenizer, pooling, normalize, maxLength, convention,
        conventionName);
  }

  private static Pooling parsePooling(Path file, JsonNode cfg) {
    if (cfg.hasNonNull("pooling_mode") && cfg.get("pooling_mode").isTextual()) {
      try {
        return Pooling.parse(cfg.get("pooling_mode").asText());
      } catch (IllegalArgumentException e) {
        throw ModelLoadException.of(file, e.getMessage(), e);
      }
    }
    List<Pooling> on = new ArrayList<>();
    List<String> unsupported = new ArrayList<>();
    var it = cfg.fields();
    while (it.hasNext()) {
      var f = it.next();
      if (!f.getKey().startsWith("pooling_mode_") || !f.getValue().asBoolean(false)) {
        continue;
      }
      switch (f.getKey()) {
        case "pooling_mode_cls_token" -> on.add(Pooling.CLS);
        case "pooling_mode_mean_tokens" -> on.add(Pooling.MEAN);
        case "pooling_mode_lasttoken" -> on.add(Pooling.LAST_TOKEN);
        default -> unsupported.add(f.getKey());
      }
    }
    if (!unsupported.isEmpty() || on.size() != 1) {
      throw ModelLoadException.of(file, "found pooling modes " + on + (unsupported.isEmpty() ? ""
          : " and unsupported " + unsupported)
          + ", expected exactly one of pooling_mode_cls_token, pooling_mode_mean_tokens, "
          + "pooling_mode_lasttoken set to true");
    }
    return on.get(0);
  }

  private static int readMaxLength(Path folder) {
    Path sb = folder.resolve("sentence_bert_config.json");
    if (Files.isRegularFile(sb)) {
      JsonNode n = readJson(sb, "a sentence-transformers config").path("max_seq_length");
      if (n.canConvertToInt() && n.asInt() > 0) {
        return n.asInt();
      }
    }
    Path tc = folder.resolve("tokenizer_config.json");
    if (Files.isRegularFile(tc)) {
      JsonNode n = readJson(tc, "a tokenizer config").path("model_max_length");
      if (n.isNumber() && n.asLong() > 0 && n.asLong() <= 1_000_000) {
        return n.asInt();
      }
    }
    Path c = folder.resolve("config.json");
    if (Files.isRegularFile(c)) {
      JsonNode n = readJson(c, "a model config").path("max_position_embeddings");
      if (n.canConvertToInt() && n.asInt() > 0) {
        return n.asInt();
      }
    }
    return 512;
  }

  private static List<String> fieldNames(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  static JsonNode readJson(Path file, String expected) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw ModelLoadException.of(file, "found unreadable JSON (" + firstLine(e.getMessage())
          + "), expected " + expected, e);
    }
  }

  static String listing(Path folder) {
    try (Stream<Path> s = Files.list(folder)) {
      List<String> names = s.map(p -> p.getFileName() + (Files.isDirectory(p) ? "/" : ""))
          .sorted().limit(20).toList();
      return names.isEmpty() ? "an empty folder" : names.toString();
    } catch (IOException e) {
      return "an unreadable folder (" + e.getMessage() + ")";
    }
  }

  static String firstLine(String s) {
    if (s == null) {
      return "no message";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
