package dev.gecko4j.train.loss;

import ai.djl.ndarray.NDArray;
import dev.gecko4j.core.train.ContrastiveLoss.InfoNce;
import dev.gecko4j.core.train.ContrastiveLoss.Matryoshka;
import dev.gecko4j.core.train.ContrastiveLoss.Term;
import dev.gecko4j.core.train.ContrastiveLoss.WeightedSum;
import dev.gecko4j.train.djl.DjlContrastiveLoss;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns the public, engine-free {@link dev.gecko4j.core.train.ContrastiveLoss} values into the
 * tensor computations of this package: the one place the trainer maps a loss description to DJL
 * code.
 */
public final class Losses {

  private Losses() {}

  /**
   * Returns the tensor computation of a loss.
   *
   * @param loss an {@link InfoNce}, {@link Matryoshka}, {@link WeightedSum} (nested freely) or a
   *     {@link DjlContrastiveLoss}; not null
   * @return the computation
   * @throws IllegalArgumentException if {@code loss} is null or of another type, which the
   *     trainer cannot compute
   */
  public static ContrastiveLoss of(dev.gecko4j.core.train.ContrastiveLoss loss) {
    if (loss instanceof InfoNce n) {
      return new InfoNceLoss(n);
    }
    if (loss instanceof Matryoshka m) {
      return new MatryoshkaLoss(of(m.inner()), m.dims().stream().mapToInt(Integer::intValue).toArray(),
          m.weights().stream().mapToDouble(Double::doubleValue).toArray());
    }
    if (loss instanceof WeightedSum s) {
      List<ContrastiveLoss> parts = new ArrayList<>();
      for (Term t : s.terms()) {
        parts.add(of(t.loss()));
      }
      return new WeightedSumLoss(parts, s.terms().stream().mapToDouble(Term::weight).toArray());
    }
    if (loss instanceof DjlContrastiveLoss d) {
      return new EngineLoss(d);
    }
    throw new IllegalArgumentException("the trainer computes ContrastiveLoss.InfoNce, Matryoshka"
        + " and WeightedSum values and dev.gecko4j.train.djl.DjlContrastiveLoss implementations,"
        + " but got: " + (loss == null ? "null" : loss.getClass().getName() + " " + loss));
  }

  /**
   * Checks that every Matryoshka dimension of a loss fits the model's embeddings.
   *
   * @param loss the loss; not null
   * @param embeddingDimension the model's embedding dimension
   * @throws IllegalArgumentException naming the first dimension that does not fit
   */
  public static void checkDimensions(dev.gecko4j.core.train.ContrastiveLoss loss,
      int embeddingDimension) {
    if (loss instanceof Matryoshka m) {
      for (int d : m.dims()) {
        if (d > embeddingDimension) {
          throw new IllegalArgumentException(String.format(Locale.ROOT,
              "matryoshkaDims must be at most the embedding dimension %d, but contain: %d",
              embeddingDimension, d));
        }
      }
      checkDimensions(m.inner(), embeddingDimension);
    } else if (loss instanceof WeightedSum s) {
      for (Term t : s.terms()) {
        checkDimensions(t.loss(), embeddingDimension);
      }
    }
  }

  /** A user's engine-level loss, shape-checked like every loss here. */
  private static final class EngineLoss implements ContrastiveLoss {
    private final DjlContrastiveLoss loss;

    EngineLoss(DjlContrastiveLoss loss) {
      this.loss = loss;
    }

    @Override
    public boolean usesNegatives() {
      return loss.usesNegatives();
    }

    @Override
    public NDArray compute(NDArray queries, NDArray positives, NDArray negatives) {
      ContrastiveLoss.checkShapes(queries, positives, negatives);
      NDArray l = loss.compute(queries, positives, loss.usesNegatives() ? negatives : null);
      if (l == null || l.getShape().size() != 1) {
        throw new IllegalStateException("DjlContrastiveLoss " + loss + " must return a scalar,"
            + " but returned " + (l == null ? "null" : "shape " + l.getShape()));
      }
      return l.getShape().dimension() == 0 ? l : l.reshape();
    }

    @Override
    public String toString() {
      return loss.toString();
    }
  }
}
