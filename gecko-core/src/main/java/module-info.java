/**
 * gecko4j's public API: {@link dev.gecko4j.core.Embedder} and its value types, task prompts, the
 * FRet data model and {@link dev.gecko4j.core.fret.FretMiner}, the {@link
 * dev.gecko4j.core.lm.LanguageModel} SPI, the trainer interface, exact and quantized vector
 * indexes (with the {@link dev.gecko4j.core.index.VectorIndexFactory} SPI for approximate ones),
 * reranking and MTEB-style evaluation.
 *
 * <p>{@code dev.gecko4j.core.internal} (argument checks, the shared JSON configuration) is exported
 * only to gecko4j's own modules, and {@code dev.gecko4j.core.vector.internal} (the SIMD kernels)
 * to none: neither is API. The Panama kernels ({@code META-INF/versions/25} of the multi-release
 * jar) read {@code jdk.incubator.vector} when the JVM has it ({@code --add-modules
 * jdk.incubator.vector}); the module does not require it, so it runs on JDK 17+ without it.
 */
@SuppressWarnings("module") // the qualified exports name gecko4j modules built after this one
module dev.gecko4j.core {
  requires com.fasterxml.jackson.databind;

  exports dev.gecko4j.core;
  exports dev.gecko4j.core.eval;
  exports dev.gecko4j.core.fret;
  exports dev.gecko4j.core.index;
  exports dev.gecko4j.core.lm;
  exports dev.gecko4j.core.quantization;
  exports dev.gecko4j.core.rerank;
  exports dev.gecko4j.core.train;
  exports dev.gecko4j.core.vector;

  exports dev.gecko4j.core.internal to
      dev.gecko4j.onnx,
      dev.gecko4j.fret,
      dev.gecko4j.train,
      dev.gecko4j.jvector,
      dev.gecko4j.langchain4j;

  // Jackson binds the FRet records and reads evaluation files by reflection.
  opens dev.gecko4j.core.fret to com.fasterxml.jackson.databind;
  opens dev.gecko4j.core.eval to com.fasterxml.jackson.databind;

  uses dev.gecko4j.core.index.VectorIndexFactory;
  uses dev.gecko4j.core.lm.LanguageModelProvider;
}
