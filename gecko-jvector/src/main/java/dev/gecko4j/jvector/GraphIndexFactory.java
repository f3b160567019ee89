package dev.gecko4j.jvector;

import dev.gecko4j.core.index.VectorIndex;
import dev.gecko4j.core.index.VectorIndexFactory;
import dev.gecko4j.core.vector.Similarity;

/**
 * Makes {@link GraphIndex}es. Registered with {@link java.util.ServiceLoader} (as {@code
 * META-INF/services/dev.gecko4j.core.index.VectorIndexFactory}), so {@link
 * VectorIndexFactory#approximate()} finds it whenever {@code gecko-jvector} is on the class path;
 * the service instance uses {@link GraphIndexConfig#defaults()}.
 */
public final class GraphIndexFactory implements VectorIndexFactory {

  private final GraphIndexConfig config;

  /** Creates a factory with {@link GraphIndexConfig#defaults()} (the service constructor). */
  public GraphIndexFactory() {
    this(GraphIndexConfig.defaults());
  }

  /**
   * Creates a factory with these settings.
   *
   * @param config the settings of every index made; not null
   * @throws IllegalArgumentException if {@code config} is null
   */
  public GraphIndexFactory(GraphIndexConfig config) {
    if (config == null) {
      throw new IllegalArgumentException("config must not be null");
    }
    this.config = config;
  }

  /**
   * Returns the settings of the indexes made.
   *
   * @return the settings
   */
  public GraphIndexConfig config() {
    return config;
  }

  @Override
  public VectorIndex create(int dimension, Similarity similarity, int expectedSize) {
    if (expectedSize < 0) {
      throw new IllegalArgumentException("expectedSize must be >= 0, but is: " + expectedSize);
    }
    return new GraphIndex(dimension, similarity, config);
  }

  @Override
  public String name() {
    return "jvector-graph";
  }
}
