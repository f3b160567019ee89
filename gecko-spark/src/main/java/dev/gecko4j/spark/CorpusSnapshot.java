package dev.gecko4j.spark;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.ProgressListener;
import dev.gecko4j.core.index.VectorIndex;
import dev.gecko4j.core.internal.GeckoJson;
import dev.gecko4j.fret.retrieve.AnnPolicy;
import dev.gecko4j.fret.retrieve.CorpusStore;
import dev.gecko4j.fret.retrieve.EmbeddingCache;
import dev.gecko4j.fret.retrieve.Passage;
import dev.gecko4j.jvector.GraphIndex;
import dev.gecko4j.jvector.GraphIndexFactory;
import dev.gecko4j.onnx.OnnxEmbedder;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.io.BufferedInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * The corpus as the executors of a {@link GeckoFret} job see it: the passages (a BEIR {@code
 * corpus.jsonl}, read in place by {@link CorpusStore}), their vectors (an {@link EmbeddingCache}
 * file, searched in place by {@code MappedVectors}) and, for a corpus at or above the ANN
 * threshold, a saved JVector {@link GraphIndex} over the same vectors.
 *
 * <p>Built once per job on the driver: the passages are embedded on the executors, in batches,
 * exactly as {@link EmbeddingCache#ensure} embeds them ({@link EmbeddingCache#embedPassages}), then
 * streamed back to the driver partition by partition and written to {@code workDir}. The files
 * reach the executors through {@link SparkSession#sparkContext()}{@code .addFile} (or, with a
 * shared work folder, at their own paths).
 *
 * @param id a unique id of this snapshot (the executors' cache key)
 * @param dir the work folder on the driver
 * @param corpusFile the corpus file's name in {@code dir}
 * @param vectorsFile the vectors file's name in {@code dir}
 * @param indexFile the graph index file's name in {@code dir}, or {@code null} for exact search
 * @param size the passages
 * @param shipped whether the files were added with {@code addFile} (else read at {@code dir})
 */
record CorpusSnapshot(String id, String dir, String corpusFile, String vectorsFile,
    String indexFile, int size, boolean shipped) implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final System.Logger LOG = System.getLogger(CorpusSnapshot.class.getName());

  /** {@return where an executor reads {@code name}} */
  Path resolve(String name) {
    return shipped ? Path.of(SparkFiles.get(name)) : Path.of(dir, name);
  }

  /**
   * Embeds {@code corpus} ({@code id}, {@code title}, {@code text}) on the executors and writes
   * the snapshot files to {@code workDir}.
   *
   * @param spark the session
   * @param corpus the corpus, columns {@code id}, {@code title}, {@code text}
   * @param settings the embedder settings
   * @param batchSize passages per embedder call
   * @param workDir the driver's work folder (created)
   * @param annThreshold corpora of at least this many passages get a graph index
   * @param ship whether to {@code addFile} the files (false: {@code workDir} is shared)
   * @return the snapshot
   */
  static CorpusSnapshot build(SparkSession spark, Dataset<Row> corpus, EmbedderSettings settings,
      int batchSize, Path workDir, int annThreshold, boolean ship) {
    String id = UUID.randomUUID().toString().substring(0, 8);
    StructType schema = new StructType()
        .add("id", DataTypes.StringType, false)
        .add("title", DataTypes.StringType, false)
        .add("text", DataTypes.StringType, false)
        .add("vector", DataTypes.createArrayType(DataTypes.FloatType, false), false);
    Dataset<Row> embedded = corpus.mapPartitions(new EmbedPassages(settings, batchSize),
        org.apache.spark.sql.Encoders.row(schema)).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long n = embedded.count(); // all partitions at once, on every core
      if (n < 2 || n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("the corpus must hold between 2 and "
            + Integer.MAX_VALUE + " passages, but holds " + n);
      }
      LOG.log(System.Logger.Level.INFO, "gecko-spark fret: embedded {0} passages on the executors",
          n);
      Files.createDirectories(workDir);
      Path corpusFile = workDir.resolve("fret-" + id + "-corpus.jsonl");
      Path rawVectors = workDir.resolve("fret-" + id + "-vectors.raw");
      int dim = 0;
      try (BufferedWriter w = Files.newBufferedWriter(corpusFile, StandardCharsets.UTF_8);
          DataOutputStream v = new DataOutputStream(new BufferedOutputStream(
              Files.newOutputStream(rawVectors), 1 << 20))) {
        Iterator<Row> it = embedded.toLocalIterator();
        Map<String, String> line = new LinkedHashMap<>();
        while (it.hasNext()) {
          Row r = it.next();
          line.put("_id", r.getString(0));
          line.put("title", r.getString(1));
          line.put("text", r.getString(2));
          w.write(GeckoJson.mapper().writeValueAsString(line));
          w.write('\n');
          List<Float> vec = r.getList(3);
          dim = vec.size();
          for (Float f : vec) {
            v.writeFloat(f);
          }
        }
      }
      Path vectors;
      OnnxEmbedder embedder = ExecutorEmbedders.get(settings); // this JVM's, for the file's identity
      try (CorpusStore store = CorpusStore.open(corpusFile);
          InputStream raw = Files.newInputStream(rawVectors)) {
        vectors = EmbeddingCache.writeVectors(store, embedder, workDir,
            floats(new DataInputStream(new BufferedInputStream(raw, 1 << 20)), dim, store.size()));
      } finally {
        Files.deleteIfExists(rawVectors);
      }
      String index = null;
      if (n >= annThreshold) {
        long t0 = System.nanoTime();
        VectorIndex graph = AnnPolicy.of(annThreshold, new GraphIndexFactory())
            .indexFor(vectors, ProgressListener.NONE).orElseThrow();
        Path indexFile = workDir.resolve("fret-" + id + "-index.jvector");
        ((GraphIndex) graph).save(indexFile);
        index = indexFile.getFileName().toString();
        LOG.log(System.Logger.Level.INFO, "gecko-spark fret: built a JVector graph index over {0}"
            + " passages in {1} s", n, Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
      }
      CorpusSnapshot s = new CorpusSnapshot(id, workDir.toAbsolutePath().toString(),
          corpusFile.getFileName().toString(), vectors.getFileName().toString(), index, (int) n,
          ship);
      if (ship) {
        for (String f : s.files()) {
          spark.sparkContext().addFile(workDir.resolve(f).toAbsolutePath().toString());
        }
      }
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the corpus snapshot in " + workDir, e);
    } finally {
      embedded.unpersist();
    }
  }

  /** {@return the file names of this snapshot} */
  List<String> files() {
    List<String> f = new ArrayList<>(List.of(corpusFile, vectorsFile));
    if (indexFile != null) {
      f.add(indexFile);
    }
    return f;
  }

  private static Iterator<float[]> floats(DataInputStream in, int dim, int count) {
    return new Iterator<>() {
      private int read;

      @Override
      public boolean hasNext() {
        return read < count;
      }

      @Override
      public float[] next() {
        if (!hasNext()) {
          throw new NoSuchElementException("no more vectors");
        }
        float[] v = new float[dim];
        try {
          for (int i = 0; i < dim; i++) {
            v[i] = in.readFloat();
          }
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read the snapshot's vectors", e);
        }
        read++;
        return v;
      }
    };
  }

  /**
   * Embeds the passages of a partition, {@code batchSize} per call, with the executor's shared
   * embedder, as {@link EmbeddingCache#embedPassages} does; emits (id, title, text, vector).
   */
  static final class EmbedPassages implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final EmbedderSettings settings;
    private final int batchSize;

    EmbedPassages(EmbedderSettings settings, int batchSize) {
      this.settings = settings;
      this.batchSize = batchSize;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      List<Row> out = new ArrayList<>();
      return new Iterator<>() {
        private int next;

        @Override
        public boolean hasNext() {
          if (next < out.size()) {
            return true;
          }
          out.clear();
          next = 0;
          List<Passage> batch = new ArrayList<>(batchSize);
          while (batch.size() < batchSize && rows.hasNext()) {
            Row r = rows.next();
            String title = r.isNullAt(1) ? "" : r.getString(1);
            String text = r.isNullAt(2) ? "" : r.getString(2);
            batch.add(new Passage(r.getString(0), title, text));
          }
          if (batch.isEmpty()) {
            return false;
          }
          OnnxEmbedder e = ExecutorEmbedders.get(settings);
          long t0 = System.nanoTime();
          List<Embedding> vs = EmbeddingCache.embedPassages(e, batch);
          ExecutorEmbedders.EMBED_NANOS.add(System.nanoTime() - t0);
          ExecutorEmbedders.TEXTS.add(batch.size());
          for (int i = 0; i < batch.size(); i++) {
            Passage p = batch.get(i);
            out.add(RowFactory.create(p.id(), p.title(), p.text(), vs.get(i).toArray()));
          }
          return true;
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new NoSuchElementException("no more passages in this partition");
          }
          return out.get(next++);
        }
      };
    }
  }
}
