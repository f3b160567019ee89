/**
 * The public API of gecko4j: {@link dev.gecko4j.core.Embedder}, {@link dev.gecko4j.core.TaskPrompt},
 * the value type {@link dev.gecko4j.core.Embedding} and the {@link dev.gecko4j.core.Pooling} strategies.
 */
package dev.gecko4j.core;
