/**
 * ONNX without protoc: a hand-written protobuf wire-format reader/writer for ModelProto
 * ({@link dev.gecko4j.train.onnx.OnnxModel}) and an interpreter that executes the graph on DJL's
 * PyTorch engine with autograd ({@link dev.gecko4j.train.onnx.OnnxTorchGraph}).
 */
package dev.gecko4j.train.onnx;
