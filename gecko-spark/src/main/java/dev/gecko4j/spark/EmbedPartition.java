package dev.gecko4j.spark;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.onnx.OnnxEmbedder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The partition function of {@link GeckoEmbeddings}: reads {@code batchSize} rows at a time,
 * embeds their texts in one {@link OnnxEmbedder#embedAll} call on the executor's shared embedder,
 * and emits each row with its embedding appended ({@code null} for a {@code null} text).
 */
final class EmbedPartition implements MapPartitionsFunction<Row, Row> {

  private static final long serialVersionUID = 1L;

  private final EmbedderSettings settings;
  private final String prompt;
  private final int textIndex;
  private final int titleIndex;
  private final int batchSize;

  EmbedPartition(EmbedderSettings settings, String prompt, int textIndex, int titleIndex,
      int batchSize) {
    this.settings = settings;
    this.prompt = prompt;
    this.textIndex = textIndex;
    this.titleIndex = titleIndex;
    this.batchSize = batchSize;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    TaskPrompt base = GeckoEmbeddings.parsePrompt(prompt);
    boolean titled = titleIndex >= 0 && base.kind() == TaskPrompt.Kind.DOCUMENT;
    return new Iterator<Row>() {
      private final List<Row> chunk = new ArrayList<>(batchSize);
      private float[][] vectors = new float[0][];
      private int next;
      private OnnxEmbedder embedder;

      @Override
      public boolean hasNext() {
        if (next < chunk.size()) {
          return true;
        }
        fill();
        return next < chunk.size();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException("no more rows in this partition");
        }
        Row r = chunk.get(next);
        float[] v = vectors[next++];
        Object[] values = new Object[r.length() + 1];
        for (int i = 0; i < r.length(); i++) {
          values[i] = r.get(i);
        }
        values[values.length - 1] = v;
        return RowFactory.create(values);
      }

      private void fill() {
        chunk.clear();
        next = 0;
        while (chunk.size() < batchSize && rows.hasNext()) {
          chunk.add(rows.next());
        }
        if (chunk.isEmpty()) {
          return;
        }
        List<String> texts = new ArrayList<>(chunk.size());
        List<TaskPrompt> prompts = new ArrayList<>(chunk.size());
        for (Row r : chunk) {
          if (r.isNullAt(textIndex)) {
            continue;
          }
          texts.add(r.getString(textIndex));
          prompts.add(titled ? TaskPrompt.document(r.isNullAt(titleIndex) ? null
              : r.getString(titleIndex)) : base);
        }
        vectors = new float[chunk.size()][];
        if (texts.isEmpty()) {
          return;
        }
        if (embedder == null) {
          embedder = ExecutorEmbedders.get(settings);
        }
        long t0 = System.nanoTime();
        List<Embedding> out = embedder.embedAll(texts, prompts);
        ExecutorEmbedders.EMBED_NANOS.add(System.nanoTime() - t0);
        ExecutorEmbedders.TEXTS.add(texts.size());
        int j = 0;
        for (int i = 0; i < chunk.size(); i++) {
          if (!chunk.get(i).isNullAt(textIndex)) {
            vectors[i] = out.get(j++).toArray();
          }
        }
      }
    };
  }
}
