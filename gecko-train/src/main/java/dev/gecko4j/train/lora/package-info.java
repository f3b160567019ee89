/**
 * Low-rank adapters (LoRA, Hu et al., 2021) for the trainer: {@link
 * dev.gecko4j.train.lora.LoraConfig} says which projections get adapters (by module-name pattern)
 * and their rank, alpha and dropout; {@link dev.gecko4j.train.onnx.LoraAdapters} finds the target
 * MatMul nodes in an ONNX graph and runs them as {@code x W + (alpha / r) dropout(x) A^T B^T};
 * {@link dev.gecko4j.train.lora.LoraAdapterFiles} writes and reads the adapters alone in PEFT's
 * layout ({@code adapter_model.safetensors} + {@code adapter_config.json}) and merges them into a
 * base model folder.
 */
package dev.gecko4j.train.lora;
