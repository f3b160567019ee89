package dev.gecko4j.onnx;

import dev.gecko4j.core.PromptConvention;
import java.util.List;

/**
 * What {@link OnnxEmbedder.Builder#build()} does: checks every setting once, resolves the model
 * source into a {@link ModelSpec} (bundled, {@link SentenceTransformersFolder folder} or files,
 * with the builder's overrides), opens the tokenizer and the ONNX Runtime session, checks the
 * model's contract and computes the checksums of the fingerprint.
 */
final class EmbedderLoader {

  private EmbedderLoader() {}

  /** Checks every stored value once; the messages name the setting and the range. */
  static void validate(OnnxEmbedder.Builder b) {
    if (b.nullArgument != null) {
      throw new IllegalArgumentException(b.nullArgument);
    }
    if (b.sourceConflict != null) {
      throw new IllegalStateException(b.sourceConflict);
    }
    if (b.maxLength != null && (b.maxLength < 2 || b.maxLength > 8192)) {
      throw new IllegalArgumentException(
          "maxLength must be between 2 and 8192, but is: " + b.maxLength);
    }
    if (b.longInputPolicy == null) {
      throw new IllegalArgumentException("policy must not be null; expected one of "
          + List.of(LongInputPolicy.values()));
    }
    if (b.dimension < 0 || b.dimensionSet && b.dimension < 1) {
      throw new IllegalArgumentException("dimension must be >= 1, but is: " + b.dimension);
    }
    if (b.intraOpThreads < 0 || b.intraOpThreads > 1024) {
      throw new IllegalArgumentException(
          "intraOpThreads must be between 0 and 1024, but is: " + b.intraOpThreads);
    }
    if (b.optimization == null) {
      throw new IllegalArgumentException("level must not be null; expected one of "
          + List.of(GraphOptimization.values()));
    }
    if (b.provider == null) {
      throw new IllegalArgumentException("provider must not be null; expected one of "
          + List.of(ExecutionProvider.values()));
    }
    if (b.cudaDevice < 0) {
      throw new IllegalArgumentException("cudaDevice must be >= 0, but is: " + b.cudaDevice);
    }
    if (b.tokenBudgetSet && (b.tokenBudget < 1 || b.tokenBudget > 1 << 20)) {
      throw new IllegalArgumentException(
          "tokenBudget must be between 1 and 1048576, but is: " + b.tokenBudget);
    }
    if (b.maxBatchSize < 1 || b.maxBatchSize > 4096) {
      throw new IllegalArgumentException(
          "maxBatchSize must be between 1 and 4096, but is: " + b.maxBatchSize);
    }
    if (b.concurrentBatches < 1 || b.concurrentBatches > 256) {
      throw new IllegalArgumentException(
          "concurrentBatches must be between 1 and 256, but is: " + b.concurrentBatches);
    }
  }

  /** Validates, resolves and loads what {@code b} describes (see {@code Builder#build()}). */
  static OnnxEmbedder load(OnnxEmbedder.Builder b) {
    validate(b);
    ModelSpec spec = resolve(b);
    String name = b.folder != null ? b.folder.toString() : spec.name();
    PromptConvention conv = b.convention != null ? b.convention
        : b.family != null ? b.family.convention(spec.namedPrompts())
        : spec.bundled() != null ? spec.bundled().promptConvention() : spec.promptConvention();
    String convName = b.convention != null ? b.conventionName
        : b.family != null ? b.family.name() : spec.promptConventionName();
    OrtRuntime.environment(); // natives cached, telemetry off, DJL opted out: before any native code
    byte[] tokenizerBytes = spec.readTokenizerBytes();
    TokenizerLayout layout = layout(b, spec, tokenizerBytes);
    EncoderTokenizer tok = EncoderTokenizer.open(tokenizerBytes, spec.tokenizerLocation(),
        spec.maxLength(), conv, b.longInputPolicy, layout);
    OrtSessionFactory.Opened opened = null;
    try {
      byte[] modelBytes = spec.bundled() != null ? spec.readModelBytes() : null;
      OrtSessionFactory sessions = OrtSessionFactory.builder().intraOpThreads(b.intraOpThreads)
          .graphOptimization(b.optimization).executionProvider(b.provider)
          .cudaDevice(b.cudaDevice).build();
      opened = modelBytes != null ? sessions.open(modelBytes, spec.modelLocation())
          : sessions.open(spec.modelFile());
      ModelContract contract = ModelContract.check(opened.session(), spec.modelLocation());
      checkPipeline(b, spec, contract, conv);
      String checksums = "model=" + (modelBytes != null ? ModelChecksum.of(modelBytes)
          : ModelChecksum.of(spec.modelFile())) + externalDataChecksum(spec) + "|tokenizer="
          + ModelChecksum.of(tokenizerBytes);
      return new OnnxEmbedder(b, spec, name, conv, convName, tok, opened, contract,
          checksums);
    } catch (RuntimeException e) {
      if (opened != null) {
        try {
          opened.session().close();
        } catch (ai.onnxruntime.OrtException ignored) {
          // already failing
        }
      }
      tok.close();
      throw e;
    }
  }

  /**
   * The folder's padding side and EOS, with the builder's overrides; a {@link
   * OnnxEmbedder.Builder#family family} whose models expect an EOS (Qwen3-Embedding, e5-mistral)
   * gets it appended unless the tokenizer's own template already ends with a special token
   * (Qwen3-Embedding's {@code tokenizer.json} appends {@code <|endoftext|>} itself).
   */
  private static TokenizerLayout layout(OnnxEmbedder.Builder b, ModelSpec spec,
      byte[] tokenizerBytes) {
    TokenizerLayout layout = TokenizerLayout.read(spec.folder(), tokenizerBytes);
    if (b.paddingSide != null) {
      layout = layout.withPaddingSide(b.paddingSide);
    }
    if (Boolean.FALSE.equals(b.appendEos)) {
      layout = new TokenizerLayout(layout.paddingSide(), -1);
    } else if (Boolean.TRUE.equals(b.appendEos) && !layout.appendsEos()) {
      long eos = TokenizerLayout.eosId(spec.folder(), tokenizerBytes);
      if (eos < 0) {
        throw new IllegalArgumentException("appendEos(true) needs the model's EOS token, but "
            + spec.modelLocation() + " has no tokenizer_config.json eos_token and no config.json "
            + "eos_token_id");
      }
      layout = new TokenizerLayout(layout.paddingSide(), eos);
    } else if (b.appendEos == null && b.family != null && b.family.appendsEos()
        && !layout.appendsEos() && templateEndsWithText(spec, tokenizerBytes)) {
      long eos = TokenizerLayout.eosId(spec.folder(), tokenizerBytes);
      if (eos < 0) {
        throw new ModelLoadException(spec.tokenizerLocation(), "found no EOS token (no "
            + "tokenizer_config.json eos_token, no config.json eos_token_id), expected one: "
            + b.family + " models end every input with it", null);
      }
      layout = new TokenizerLayout(layout.paddingSide(), eos);
    }
    return layout;
  }

  /** Whether the tokenizer's template puts no special token after the text. */
  private static boolean templateEndsWithText(ModelSpec spec, byte[] tokenizerBytes) {
    try (EncoderTokenizer probe = EncoderTokenizer.open(tokenizerBytes, spec.tokenizerLocation(),
        spec.maxLength(), PromptConvention.NONE, LongInputPolicy.TRUNCATE)) {
      return probe.trailingSpecialTokens() == 0;
    }
  }

  /**
   * Checks that the pipeline can be run as described: a graph exporting {@code
   * sentence_embedding} takes no pooling override and cannot be un-normalised; a graph exporting
   * token states needs a Pooling module; a Pooling module that excludes the prompt
   * ({@code include_prompt: false}) is served only without prompts.
   */
  static void checkPipeline(OnnxEmbedder.Builder b, ModelSpec spec, ModelContract contract,
      PromptConvention conv) {
    if (contract.outputIsPooled()) {
      if (b.pooling != null) {
        throw new IllegalStateException("pooling(" + b.pooling + ") cannot apply: "
            + spec.modelLocation() + " exports sentence_embedding, the whole pipeline's output, "
            + "which is used as is");
      }
      if (Boolean.FALSE.equals(b.normalize) && spec.normalize()) {
        throw new IllegalStateException("normalize(false) cannot apply: " + spec.modelLocation()
            + " exports sentence_embedding, the whole pipeline's output, normalised by its "
            + "Normalize module");
      }
      return;
    }
    PipelineModule.Pool pool = spec.poolingModule();
    if (pool == null) {
      throw new ModelLoadException(spec.modelLocation(), "found a pipeline without a Pooling "
          + "module " + spec.modules() + " and a graph output " + contract.outputName()
          + " of token states, expected a Pooling module in modules.json or a graph exporting "
          + ModelContract.SENTENCE_OUTPUT, null);
    }
    if (!pool.includePrompt() && addsPrompts(conv)) {
      String where = spec.folder() != null
          ? spec.folder().resolve(pool.path()).resolve("config.json").toString()
          : spec.modelLocation();
      throw new ModelLoadException(where, "found include_prompt: false with a prompt convention "
          + "that prepends prompts, expected include_prompt: true (pooling without the prompt's "
          + "tokens is not supported yet) or a model without prompts", null);
    }
  }

  /**
   * The checksum of the weights file beside the graph ({@code model.onnx_data}, as {@code
   * onnx.save(save_as_external_data=True)} names it), so a retrained external file changes the
   * fingerprint; empty when there is none.
   */
  private static String externalDataChecksum(ModelSpec spec) {
    if (spec.modelFile() == null) {
      return "";
    }
    java.nio.file.Path data = spec.modelFile().resolveSibling(spec.modelFile().getFileName()
        + "_data");
    return java.nio.file.Files.isRegularFile(data) ? "|data=" + ModelChecksum.of(data) : "";
  }

  private static boolean addsPrompts(PromptConvention conv) {
    for (dev.gecko4j.core.TaskPrompt p : List.of(
        dev.gecko4j.core.TaskPrompt.query(dev.gecko4j.core.TaskPrompt.SEARCH_RESULT),
        dev.gecko4j.core.TaskPrompt.document(),
        dev.gecko4j.core.TaskPrompt.symmetric(dev.gecko4j.core.TaskPrompt.SENTENCE_SIMILARITY))) {
      if (!conv.apply(p, "").isEmpty()) {
        return true;
      }
    }
    return false;
  }

  private static ModelSpec resolve(OnnxEmbedder.Builder b) {
    if (b.tokenizerPath != null && b.modelPath == null) {
      throw new IllegalStateException(
          "tokenizerPath(" + b.tokenizerPath + ") needs modelPath(...) as well");
    }
    ModelSpec spec;
    if (b.folder != null) {
      spec = SentenceTransformersFolder.read(b.folder);
    } else if (b.modelPath != null) {
      if (b.tokenizerPath == null) {
        throw new IllegalStateException("modelPath(" + b.modelPath
            + ") needs tokenizerPath(...) (a HuggingFace tokenizer.json)");
      }
      spec = ModelSpec.ofFiles(b.modelPath, b.tokenizerPath);
    } else {
      spec = (b.bundled != null ? b.bundled : Models.BGE_SMALL_EN_V15).spec();
    }
    if (b.pooling != null) {
      spec = spec.withPooling(b.pooling);
    }
    return spec.withSettings(b.pooling != null ? b.pooling : spec.pooling(),
        b.normalize != null ? b.normalize : spec.normalize(),
        b.maxLength != null ? b.maxLength : spec.maxLength(), spec.prompts(),
        spec.promptConventionName());
  }
}
