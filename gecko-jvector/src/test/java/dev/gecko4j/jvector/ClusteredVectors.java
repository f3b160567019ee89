package dev.gecko4j.jvector;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded clustered synthetic vectors (test data): {@code clusters} centres drawn from N(0, 1) per
 * coordinate with {@code centreSeed}, and each vector a random centre plus N(0, 0.5^2) noise per
 * coordinate drawn with {@code sampleSeed}. Corpus and queries share the centres (same {@code
 * centreSeed}) and differ in {@code sampleSeed}, as queries and documents of one domain do.
 */
final class ClusteredVectors {

  private ClusteredVectors() {}

  /** {@code n} vectors of {@code dim} around {@code clusters} centres (see the class comment). */
  static List<float[]> generate(int n, int dim, int clusters, long centreSeed, long sampleSeed) {
    Random cr = new Random(centreSeed);
    Random r = new Random(sampleSeed);
    float[][] centres = new float[clusters][dim];
    for (float[] c : centres) {
      for (int i = 0; i < dim; i++) {
        c[i] = (float) cr.nextGaussian();
      }
    }
    double sigma = 0.5;
    List<float[]> out = new ArrayList<>(n);
    for (int j = 0; j < n; j++) {
      float[] c = centres[r.nextInt(clusters)];
      float[] v = new float[dim];
      for (int i = 0; i < dim; i++) {
        v[i] = (float) (c[i] + sigma * r.nextGaussian());
      }
      out.add(v);
    }
    return out;
  }

  static List<String> ids(int from, int n) {
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add("v" + (from + i));
    }
    return ids;
  }
}
