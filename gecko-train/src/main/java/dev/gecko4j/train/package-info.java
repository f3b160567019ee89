/**
 * The trainer: {@link dev.gecko4j.train.GeckoTrainer} fine-tunes the ONNX encoder itself. The
 * model's own ONNX graph runs on DJL's PyTorch engine ({@link dev.gecko4j.train.onnx.OnnxTorchGraph})
 * with its float initializers as trainable parameters ({@link dev.gecko4j.train.TrainableEncoder});
 * the trained initializers are written back into the same graph
 * ({@link dev.gecko4j.train.export.ModelExporter}) so the embedder serves exactly the trained model.
 */
package dev.gecko4j.train;
