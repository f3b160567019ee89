/**
 * Contrastive fine-tuning of an ONNX encoder on DJL's PyTorch engine: {@link
 * dev.gecko4j.train.GeckoTrainer} (a {@link dev.gecko4j.core.train.Trainer}), training data
 * ({@code dev.gecko4j.train.data}) and the export of a trained model as a sentence-transformers
 * folder ({@code dev.gecko4j.train.export}); losses are {@link dev.gecko4j.core.train.ContrastiveLoss}
 * values. {@code dev.gecko4j.train.djl} is exported for a loss formula of the user's own: it is bound
 * to the DJL engine and outside the stable API.
 *
 * <p>Not exported: the ONNX graph reader and its PyTorch translation ({@code
 * dev.gecko4j.train.onnx}), the tensor-level losses ({@code dev.gecko4j.train.loss}), the optimizer ({@code dev.gecko4j.train.optim}) and checkpoint files
 * ({@code dev.gecko4j.train.checkpoint}). The tensor-level methods of {@link
 * dev.gecko4j.train.TrainableEncoder} are package-private: no DJL type is part of the API.
 */
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module dev.gecko4j.train {
  requires transitive dev.gecko4j.core;
  requires transitive dev.gecko4j.onnx;
  // transitive: DjlContrastiveLoss (exported, engine-bound) takes and returns NDArray
  requires transitive ai.djl.api;
  requires ai.djl.tokenizers;
  requires ai.djl.pytorch_engine;
  requires com.fasterxml.jackson.databind;

  exports dev.gecko4j.train;
  exports dev.gecko4j.train.data;
  exports dev.gecko4j.train.export;
  exports dev.gecko4j.train.lora;
  exports dev.gecko4j.train.rerank;
  // Bound to the DJL engine and outside the stable API: a loss formula of the user's own.
  exports dev.gecko4j.train.djl;
}
