package dev.gecko4j.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The task readers of classification, clustering, pair classification and reranking follow
 * {@link DatasetLines}' rule: a byte-order mark is accepted, a bad byte deep in the file is
 * reported at its own line, an empty file is an error naming it, and labels are strict integers.
 */
class TaskDatasetRuleTest {

  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
  /** The line the bad byte is put on: deep in the file, past the first 64 KiB read buffer. */
  private static final int BAD_LINE = 2_001;

  @TempDir Path tmp;

  /** One file format of one reader: its header, a row maker and how it is read. */
  private record Format(String file, String header, Function<Integer, String> row,
      Function<Path, Integer> read) {}

  private static final List<Format> FORMATS = List.of(
      new Format("texts.csv", "text,label", i -> "\"text, number " + i + "\",l" + (i % 3),
          p -> LabeledTexts.read(p).size()),
      new Format("texts.tsv", "index_id\tcategory\ttext", i -> i + "\tc" + (i % 3) + "\ttext " + i,
          p -> LabeledTexts.read(p).size()),
      new Format("texts.jsonl", null, i -> "{\"text\": \"text " + i + "\", \"label\": " + (i % 3)
          + "}", p -> LabeledTexts.read(p).size()),
      new Format("clusters.jsonl", null, i -> "{\"sentences\": [\"a " + i + "\", \"b\"], "
          + "\"labels\": [\"x\", \"y\"]}", p -> ClusteringDataset.read(p).sets().size()),
      new Format("pairs.tsv", "sentence1\tsentence2\tlabel", i -> "a " + i + "\tb\t" + (i % 2),
          p -> PairClassificationDataset.read(p).pairs().size()),
      new Format("pairs.csv", "sent1,sent2,labels", i -> "a " + i + ",b," + (i % 2),
          p -> PairClassificationDataset.read(p).pairs().size()),
      new Format("rerank.jsonl", null, i -> "{\"query\": \"q " + i + "\", \"positive\": [\"p\"], "
          + "\"negative\": [\"n\"]}", p -> RerankingDataset.read(p).samples().size()));

  private static Format format(String file) {
    return FORMATS.stream().filter(f -> f.file().equals(file)).findFirst().orElseThrow();
  }

  /** The file's bytes: an optional BOM, the header, {@code rows} rows, one line replaced by bytes. */
  private Path write(Format f, boolean bom, int rows, int badLine, byte[] bad) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (bom) {
      out.write(BOM);
    }
    int line = 0;
    if (f.header() != null) {
      out.write((f.header() + "\n").getBytes(StandardCharsets.UTF_8));
      line++;
    }
    for (int i = 0; i < rows; i++) {
      line++;
      out.write(line == badLine ? bad : f.row().apply(i).getBytes(StandardCharsets.UTF_8));
      out.write('\n');
    }
    Path p = tmp.resolve(f.file());
    Files.write(p, out.toByteArray());
    return p;
  }

  @ParameterizedTest
  @ValueSource(strings = {"texts.csv", "texts.tsv", "texts.jsonl", "clusters.jsonl", "pairs.tsv",
      "pairs.csv", "rerank.jsonl"})
  void a_byte_order_mark_is_accepted_and_the_header_still_matches(String file) throws IOException {
    Format f = format(file);
    Path p = write(f, true, 5, -1, null);

    assertThat(f.read().apply(p)).isEqualTo(5);
  }

  @ParameterizedTest
  @ValueSource(strings = {"texts.csv", "texts.tsv", "texts.jsonl", "clusters.jsonl", "pairs.tsv",
      "pairs.csv", "rerank.jsonl"})
  void a_bad_byte_deep_in_the_file_is_reported_at_its_own_line(String file) throws IOException {
    Format f = format(file);
    byte[] good = f.row().apply(7).getBytes(StandardCharsets.UTF_8);
    byte[] bad = java.util.Arrays.copyOf(good, good.length + 1);
    bad[good.length] = (byte) 0xFF;
    Path p = write(f, false, 3_000, BAD_LINE, bad);

    assertThatThrownBy(() -> f.read().apply(p)).isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(p + ":" + BAD_LINE + ": not valid UTF-8 at byte "
            + (good.length + 1) + " of the line")
        .satisfies(e -> assertThat(((DatasetFormatException) e).line()).isEqualTo(BAD_LINE));
  }

  @ParameterizedTest
  @ValueSource(strings = {"texts.csv", "texts.tsv", "texts.jsonl", "clusters.jsonl", "pairs.tsv",
      "pairs.csv", "rerank.jsonl"})
  void an_empty_file_or_one_of_only_a_byte_order_mark_is_an_error_naming_it(String file)
      throws IOException {
    Format f = format(file);
    Path empty = tmp.resolve(file);
    Files.write(empty, new byte[0]);
    assertThatThrownBy(() -> f.read().apply(empty)).isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(empty + ": file is empty (0 bytes)");
    Files.write(empty, BOM);
    assertThatThrownBy(() -> f.read().apply(empty)).isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(empty + ": file is empty (3 bytes)");
    Files.writeString(empty, "\n\n  \n");
    assertThatThrownBy(() -> f.read().apply(empty)).isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(empty + ": file holds no record (3 lines, none with data)");
  }

  @Test
  void a_classification_folder_names_the_split_file_that_is_empty() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("task"));
    Files.writeString(dir.resolve("train.csv"), "\uFEFFtext,label\na,x\nb,y\n");
    Files.write(dir.resolve("test.csv"), new byte[0]);

    assertThatThrownBy(() -> ClassificationDataset.read(dir))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(dir.resolve("test.csv") + ": file is empty");
    Files.writeString(dir.resolve("test.csv"), "text,label\nc,x\n");
    assertThat(ClassificationDataset.read(dir).train())
        .containsExactly(new LabeledText("a", "x"), new LabeledText("b", "y"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"3d", "0x1p1", "NaN", "Infinity", "1_0", "1.0", "1e0", "true", "٣", ""})
  void a_pair_label_that_is_not_a_strict_integer_is_named_with_its_line(String label)
      throws IOException {
    Path p = tmp.resolve("pairs.tsv");
    Files.writeString(p, "sentence1\tsentence2\tlabel\na\tb\t1\nc\td\t" + label + "\n");

    assertThatThrownBy(() -> PairClassificationDataset.read(p))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessage(p + ":3: label must be 0 or 1, but is: '" + label + "' (not an integer)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"2", "-1", "10"})
  void a_pair_label_that_is_an_integer_other_than_0_or_1_is_named_with_its_line(String label)
      throws IOException {
    Path p = tmp.resolve("pairs.csv");
    Files.writeString(p, "sentence1,sentence2,label\na,b,1\nc,d," + label + "\n");

    assertThatThrownBy(() -> PairClassificationDataset.read(p))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessage(p + ":3: label must be 0 or 1, but is: '" + label + "'");
  }

  @Test
  void pair_labels_in_mteb_arrays_must_be_json_integers_0_or_1() throws IOException {
    Path p = tmp.resolve("pairs.jsonl");
    Files.writeString(p, "{\"sent1\": [\"a\", \"c\"], \"sent2\": [\"b\", \"d\"], "
        + "\"labels\": [1, 1.5]}\n");

    assertThatThrownBy(() -> PairClassificationDataset.read(p))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(p + ":1: 'labels' must hold only strings, but holds: 1.5");
  }

  @Test
  void a_pair_label_may_have_surrounding_white_space_as_datasetlines_integers_do()
      throws IOException {
    Path p = tmp.resolve("pairs.tsv");
    Files.writeString(p, "sentence1\tsentence2\tlabel\na\tb\t 1\nc\td\t0 \n");

    assertThat(PairClassificationDataset.read(p).pairs())
        .containsExactly(new SentencePair("a", "b", true), new SentencePair("c", "d", false));
  }

  @ParameterizedTest
  @ValueSource(strings = {"texts.csv", "texts.tsv", "texts.jsonl", "clusters.jsonl", "pairs.tsv",
      "pairs.csv", "rerank.jsonl"})
  void damaged_files_read_or_fail_with_a_dataset_format_exception_naming_the_file(String file)
      throws IOException {
    Format f = format(file);
    byte[] valid = Files.readAllBytes(write(f, true, 12, -1, null));
    byte[] specials = {'"', ',', '\t', '\n', '\r', '{', '}', '[', ':', 0, (byte) 0xC3,
        (byte) 0xFF, (byte) 0xEF};
    java.util.Random random = new java.util.Random(25);
    Path p = tmp.resolve(file);
    for (int round = 0; round < 60; round++) {
      byte[] damaged;
      int at = random.nextInt(valid.length);
      switch (round % 4) {
        case 0 -> damaged = java.util.Arrays.copyOf(valid, at); // truncated
        case 1 -> {
          damaged = valid.clone();
          damaged[at] ^= (byte) (1 << random.nextInt(8)); // one bit flipped
        }
        case 2 -> {
          damaged = valid.clone();
          damaged[at] = specials[random.nextInt(specials.length)]; // a byte the formats care about
        }
        default -> {
          damaged = new byte[valid.length + 1]; // a byte the formats care about, inserted
          System.arraycopy(valid, 0, damaged, 0, at);
          damaged[at] = specials[random.nextInt(specials.length)];
          System.arraycopy(valid, at, damaged, at + 1, valid.length - at);
        }
      }
      Files.write(p, damaged);
      try {
        assertThat(f.read().apply(p)).isPositive();
      } catch (DatasetFormatException e) {
        assertThat(e.getMessage()).as("round %d", round).startsWith(p.toString() + ":");
        assertThat(e.path()).isEqualTo(p);
      }
    }
  }
}
