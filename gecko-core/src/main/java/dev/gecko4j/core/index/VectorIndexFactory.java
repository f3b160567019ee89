package dev.gecko4j.core.index;

import dev.gecko4j.core.vector.Similarity;
import java.util.Iterator;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Creates empty {@link VectorIndex}es, so a component that builds its own index (FRet's neighbour
 * retrieval, the trainer's hard-negative mining) lets its user choose the kind.
 *
 * <p>{@link #flat()} makes exact {@link FlatIndex}es. Approximate indexes live in optional modules
 * and register a factory with {@link ServiceLoader} (a {@code
 * META-INF/services/dev.gecko4j.core.index.VectorIndexFactory} entry): {@code gecko-jvector}
 * registers {@code dev.gecko4j.jvector.GraphIndexFactory}. {@link #approximate()} finds such a
 * factory on the class path, so modules like {@code gecko-fret} use a graph index when the user
 * adds {@code gecko-jvector} to the class path, and never depend on it at compile time.
 */
@FunctionalInterface
public interface VectorIndexFactory {

  /**
   * Creates an empty index.
   *
   * @param dimension the dimension of every vector, {@code >= 1}
   * @param similarity how vectors are scored; not null
   * @param expectedSize how many vectors will be added (a sizing hint), {@code >= 0}
   * @return a new, empty index
   * @throws IllegalArgumentException if an argument is invalid
   */
  VectorIndex create(int dimension, Similarity similarity, int expectedSize);

  /**
   * Returns a short name of the kind of index made, for logs and reports.
   *
   * @return the name; the class's simple name unless overridden
   */
  default String name() {
    return getClass().getSimpleName();
  }

  /**
   * Returns the factory of exact {@link FlatIndex}es.
   *
   * @return the flat factory
   */
  static VectorIndexFactory flat() {
    return FlatFactory.INSTANCE;
  }

  /**
   * Returns a factory that makes {@code small}'s indexes for fewer than {@code threshold} expected
   * vectors and {@code large}'s otherwise (e.g. flat below 200,000, a graph above).
   *
   * @param threshold the smallest expected size that gets {@code large}'s index, {@code >= 0}
   * @param small the factory below the threshold; not null
   * @param large the factory at and above the threshold; not null
   * @return the combined factory
   * @throws IllegalArgumentException if {@code threshold < 0} or a factory is null
   */
  static VectorIndexFactory bySize(int threshold, VectorIndexFactory small,
      VectorIndexFactory large) {
    if (threshold < 0) {
      throw new IllegalArgumentException("threshold must be >= 0, but is: " + threshold);
    }
    if (small == null || large == null) {
      throw new IllegalArgumentException("small and large must not be null, but small=" + small
          + ", large=" + large);
    }
    return new VectorIndexFactory() {
      @Override
      public VectorIndex create(int dimension, Similarity similarity, int expectedSize) {
        if (expectedSize < 0) {
          throw new IllegalArgumentException("expectedSize must be >= 0, but is: " + expectedSize);
        }
        return (expectedSize < threshold ? small : large).create(dimension, similarity,
            expectedSize);
      }

      @Override
      public String name() {
        return small.name() + "<" + threshold + "<=" + large.name();
      }
    };
  }

  /**
   * Finds an approximate index factory registered with {@link ServiceLoader} on the class path of
   * this interface's class loader (the first one found; {@code gecko-jvector} registers one).
   *
   * @return the factory, or empty when no module providing one is on the class path
   */
  static Optional<VectorIndexFactory> approximate() {
    try {
      Iterator<VectorIndexFactory> it =
          ServiceLoader.load(VectorIndexFactory.class, VectorIndexFactory.class.getClassLoader())
              .iterator();
      return it.hasNext() ? Optional.of(it.next()) : Optional.empty();
    } catch (ServiceConfigurationError e) {
      System.getLogger(VectorIndexFactory.class.getName()).log(System.Logger.Level.WARNING,
          "an approximate VectorIndexFactory is registered but cannot be loaded; using exact"
              + " search: " + e.getMessage());
      return Optional.empty();
    }
  }
}
