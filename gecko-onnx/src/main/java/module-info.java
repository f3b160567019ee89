/**
 * gecko4j on ONNX Runtime: {@link dev.gecko4j.onnx.OnnxEmbedder} (any sentence-transformers
 * folder or a bundled model), {@link dev.gecko4j.onnx.OnnxCrossEncoder}, the model description
 * ({@link dev.gecko4j.onnx.ModelSpec}, {@link dev.gecko4j.onnx.SentenceTransformersFolder}), the
 * causal language model of {@code dev.gecko4j.onnx.lm}, and the builder base of the framework
 * adapters ({@code dev.gecko4j.onnx.adapter}).
 *
 * <p>ONNX Runtime is read transitively: {@link dev.gecko4j.onnx.OrtSessionFactory} hands out its
 * sessions. The bundled models are separate artifacts ({@code gecko-model-*}, resource-only
 * automatic modules): on the module path add the one you use to the graph ({@code requires} or
 * {@code --add-modules}).
 */
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module dev.gecko4j.onnx {
  requires transitive dev.gecko4j.core;
  requires transitive com.microsoft.onnxruntime;
  requires ai.djl.api;
  requires ai.djl.tokenizers;
  requires com.fasterxml.jackson.databind;

  exports dev.gecko4j.onnx;
  exports dev.gecko4j.onnx.adapter;
  exports dev.gecko4j.onnx.lm;

  provides dev.gecko4j.core.lm.LanguageModelProvider
      with dev.gecko4j.onnx.lm.OnnxLanguageModelProvider;

  // Jackson reads the sentence-transformers configuration files into these records.
  opens dev.gecko4j.onnx to com.fasterxml.jackson.databind;
}
