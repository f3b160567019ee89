/**
 * FRet, the two-step LLM distillation of the Gecko paper, on the JVM: {@link
 * dev.gecko4j.fret.FretPipeline} (generate a task and query per passage, retrieve neighbours,
 * rerank them with the LLM, pick positive and hard negative), the OpenAI-compatible {@link
 * dev.gecko4j.core.lm.LanguageModel} of {@code dev.gecko4j.fret.llm}, the corpus store and
 * embedding cache of {@code dev.gecko4j.fret.retrieve}, resumable mining runs ({@code
 * dev.gecko4j.fret.run}) and exporters ({@code dev.gecko4j.fret.export}).
 */
@SuppressWarnings("module")
module dev.gecko4j.fret {
  requires transitive dev.gecko4j.core;
  requires java.net.http;
  requires jdk.unsupported; // sun.misc.Signal: StopSignal stops a run cleanly on SIGINT/SIGTERM
  requires com.fasterxml.jackson.databind;

  exports dev.gecko4j.fret;
  exports dev.gecko4j.fret.export;
  exports dev.gecko4j.fret.generate;
  exports dev.gecko4j.fret.llm;
  exports dev.gecko4j.fret.rerank;
  exports dev.gecko4j.fret.retrieve;
  exports dev.gecko4j.fret.run;
  // the durable JSONL appender and the file-channel seam: gecko4j's own, not API
  exports dev.gecko4j.fret.internal to dev.gecko4j.spark;

  provides dev.gecko4j.core.lm.LanguageModelProvider
      with dev.gecko4j.fret.llm.OpenAiLanguageModelProvider;

  // Jackson binds the LLM wire format, the generated triplets and the run statistics.
  opens dev.gecko4j.fret.generate to com.fasterxml.jackson.databind;
  opens dev.gecko4j.fret.llm to com.fasterxml.jackson.databind;
  opens dev.gecko4j.fret.run to com.fasterxml.jackson.databind;
}
