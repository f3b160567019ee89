/**
 * Approximate nearest-neighbour search for gecko4j: {@link dev.gecko4j.jvector.GraphIndex}, a
 * JVector graph behind gecko-core's {@link dev.gecko4j.core.index.VectorIndex}, its settings
 * {@link dev.gecko4j.jvector.GraphIndexConfig}, and {@link dev.gecko4j.jvector.GraphIndexFactory},
 * which {@link dev.gecko4j.core.index.VectorIndexFactory#approximate()} finds by {@link
 * java.util.ServiceLoader}.
 */
package dev.gecko4j.jvector;
