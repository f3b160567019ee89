package dev.gecko4j.train.checkpoint;

import dev.gecko4j.train.optim.AdamW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Checkpoints: round trips, complete-or-absent writes under I/O faults, corrupt files at resume. */
public class CheckpointsTest {
  @TempDir
  Path dir;

  /** Two parameters (a matrix and a bias) and an optimizer that has taken two steps. */
  static Map<String, float[]> params(long seed) {
    Random r = new Random(seed);
    Map<String, float[]> p = new LinkedHashMap<>();
    p.put("layer.weight", random(r, 3000));
    p.put("layer.bias", random(r, 7));
    return p;
  }

  static AdamW trained(Map<String, float[]> params, long seed) {
    Random r = new Random(seed);
    AdamW opt = new AdamW(0.01);
    Map<String, Boolean> decayed = Map.of("layer.weight", true, "layer.bias", false);
    for (int t = 0; t < 2; t++) {
      Map<String, float[]> g = new LinkedHashMap<>();
      params.forEach((k, v) -> g.put(k, random(r, v.length)));
      opt.step(params, g, decayed, 1e-3);
    }
    return opt;
  }

  /** The parameters {@link #saveStep} saves for a seed: {@link #params} after two optimizer steps. */
  static Map<String, float[]> savedParams(long seed) {
    Map<String, float[]> p = params(seed);
    trained(p, seed);
    return p;
  }

  static float[] random(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  static Map<String, float[]> copy(Map<String, float[]> m) {
    Map<String, float[]> c = new LinkedHashMap<>();
    m.forEach((k, v) -> c.put(k, v.clone()));
    return c;
  }

  Checkpoints checkpoints() {
    return new Checkpoints(dir.resolve("checkpoints"));
  }

  Path saveStep(Checkpoints c, int step, long seed) {
    Map<String, float[]> p = params(seed);
    return c.save(new Checkpoints.State(step, 2, 0, 0.5), p, trained(p, seed));
  }

  @Test
  void should_restore_parameters_moments_and_state_exactly_after_a_save_and_load_round_trip() {
    // given
    Map<String, float[]> saved = params(1);
    AdamW opt = trained(saved, 2);
    Path ckpt = checkpoints().save(new Checkpoints.State(4, opt.steps(), 1, 0.25), saved, opt);

    // when loading into other values
    Map<String, float[]> loaded = params(99);
    AdamW fresh = new AdamW(0.01);
    Checkpoints.State s = checkpoints().load(ckpt, loaded, fresh);

    // then everything is back, bit for bit
    assertThat(ckpt.getFileName().toString()).isEqualTo("step-00000004");
    assertThat(s).isEqualTo(new Checkpoints.State(4, 2, 1, 0.25));
    assertThat(fresh.steps()).isEqualTo(2);
    for (String name : saved.keySet()) {
      assertThat(loaded.get(name)).as(name).containsExactly(saved.get(name));
      assertThat(fresh.firstMoments().get(name)).as(name).containsExactly(opt.firstMoments().get(name));
      assertThat(fresh.secondMoments().get(name)).as(name).containsExactly(opt.secondMoments().get(name));
    }
    assertThat(ckpt.resolve(Checkpoints.MANIFEST)).isRegularFile();
    assertThat(ckpt.resolve("params.bin")).hasSize(4L * (3000 + 7));
  }

  @Test
  void should_keep_only_the_newest_checkpoint_once_it_is_complete() {
    // given
    Checkpoints c = checkpoints();
    saveStep(c, 2, 1);

    // when
    Path newest = saveStep(c, 4, 2);

    // then
    assertThat(c.list()).containsExactly(newest);
    assertThat(c.latest()).contains(newest);
  }

  @ParameterizedTest
  @ValueSource(strings = {"params.bin", "adam_m.bin", "adam_v.bin", "state.properties", "manifest.properties"})
  void should_keep_the_previous_checkpoint_and_leave_no_partial_one_when_the_disk_fills_up(String file)
      throws IOException {
    // given a complete step-2 checkpoint
    Path previous = saveStep(checkpoints(), 2, 1);
    Map<String, float[]> previousParams = savedParams(1);

    // when the disk fills up while the step-4 checkpoint writes `file`
    Checkpoints full = new Checkpoints(dir.resolve("checkpoints"), FailingSink.diskFullIn(file, 10));
    Map<String, float[]> p = params(2);

    // then the error names the file and says what is kept
    assertThatThrownBy(() -> full.save(new Checkpoints.State(4, 2, 0, 0.5), p, trained(p, 2)))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining(dir.resolve("checkpoints/step-00000004.tmp").resolve(file).toString())
        .hasMessageContaining(FailingSink.DISK_FULL)
        .hasMessageContaining("the earlier checkpoint " + previous + " is kept");
    // and only the previous, intact checkpoint is there, which loads as saved
    assertThat(children(dir.resolve("checkpoints"))).containsExactly("step-00000002");
    assertThat(checkpoints().problem(previous)).isEmpty();
    Map<String, float[]> loaded = params(7);
    checkpoints().load(previous, loaded, new AdamW(0.01));
    assertThat(loaded.get("layer.weight")).containsExactly(previousParams.get("layer.weight"));
  }

  @Test
  void should_not_publish_a_checkpoint_whose_fsync_failed() throws IOException {
    // given
    Path previous = saveStep(checkpoints(), 2, 1);
    Checkpoints failing = new Checkpoints(dir.resolve("checkpoints"), FailingSink.fsyncFailsOn("adam_v.bin"));
    Map<String, float[]> p = params(2);

    // when / then
    assertThatThrownBy(() -> failing.save(new Checkpoints.State(4, 2, 0, 0.5), p, trained(p, 2)))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("adam_v.bin")
        .hasMessageContaining(FailingSink.FSYNC_FAILED);
    assertThat(children(dir.resolve("checkpoints"))).containsExactly("step-00000002");
    assertThat(checkpoints().latest()).contains(previous);
  }

  @Test
  void should_say_that_no_checkpoint_is_kept_when_the_first_one_cannot_be_written() {
    Checkpoints full = new Checkpoints(dir.resolve("checkpoints"), FailingSink.diskFullIn("params.bin", 0));
    Map<String, float[]> p = params(2);

    assertThatThrownBy(() -> full.save(new Checkpoints.State(2, 2, 0, 0.5), p, trained(p, 2)))
        .hasMessageContaining("no earlier checkpoint exists");
    assertThat(checkpoints().list()).isEmpty();
  }

  @Test
  void should_refuse_to_resume_from_a_truncated_checkpoint_and_leave_the_parameters_untouched()
      throws IOException {
    // given a checkpoint whose params.bin lost its last 4 bytes (as a crash of a non-atomic write would)
    Path ckpt = saveStep(checkpoints(), 2, 1);
    try (RandomAccessFile f = new RandomAccessFile(ckpt.resolve("params.bin").toFile(), "rw")) {
      f.setLength(f.length() - 4);
    }
    Map<String, float[]> live = params(5);
    Map<String, float[]> before = copy(live);
    List<String> notes = new ArrayList<>();

    // when / then
    assertThatThrownBy(() -> checkpoints().resume(live, new AdamW(0.01), notes::add))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot resume")
        .hasMessageContaining(ckpt.toString())
        .hasMessageContaining("params.bin has 12024 bytes, the manifest records 12028 (truncated)")
        .hasMessageContaining("--no-resume");
    assertThat(notes).singleElement().asString().contains("is corrupt");
    for (String name : before.keySet()) {
      assertThat(live.get(name)).containsExactly(before.get(name));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"params.bin", "adam_m.bin", "adam_v.bin", "state.properties"})
  void should_detect_a_flipped_byte_in_any_file_of_a_checkpoint(String file) throws IOException {
    // given
    Path ckpt = saveStep(checkpoints(), 2, 1);
    flipByte(ckpt.resolve(file));

    // when
    Optional<String> problem = checkpoints().problem(ckpt);

    // then
    assertThat(problem).hasValueSatisfying(p -> assertThat(p).startsWith(file + " fails its CRC32C check"));
    assertThat(checkpoints().latest()).isEmpty();
    assertThatThrownBy(() -> checkpoints().load(ckpt, params(3), new AdamW(0.01)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("is corrupt");
  }

  @Test
  void should_resume_from_the_older_intact_checkpoint_when_the_newest_is_corrupt() throws IOException {
    // given step 2 and step 4 on disk (as after a crash between the rename and the clean-up), step 4 corrupt
    Checkpoints c = checkpoints();
    Path two = saveStep(c, 2, 1);
    Path aside = dir.resolve("aside");
    Files.move(two, aside);
    Path four = saveStep(c, 4, 2);
    Files.move(aside, two);
    flipByte(four.resolve("adam_m.bin"));
    Map<String, float[]> live = params(9);
    List<String> notes = new ArrayList<>();

    // when
    Optional<Checkpoints.Resumed> r = c.resume(live, new AdamW(0.01), notes::add);

    // then
    assertThat(r).hasValueSatisfying(x -> assertThat(x.directory()).isEqualTo(two));
    assertThat(r.get().state().step()).isEqualTo(2);
    assertThat(live.get("layer.weight")).containsExactly(savedParams(1).get("layer.weight"));
    assertThat(notes).anyMatch(n -> n.contains(four.toString()) && n.contains("adam_m.bin fails its CRC32C check"));
    assertThat(notes).anyMatch(n -> n.contains("older intact checkpoint " + two));
  }

  @Test
  void should_refuse_a_checkpoint_without_a_manifest() throws IOException {
    // given a checkpoint as an earlier gecko4j wrote it (no checksums)
    Path ckpt = saveStep(checkpoints(), 2, 1);
    Files.delete(ckpt.resolve(Checkpoints.MANIFEST));

    // when / then
    assertThat(checkpoints().problem(ckpt)).hasValueSatisfying(p -> assertThat(p).contains("no manifest.properties"));
    assertThatThrownBy(() -> checkpoints().resume(params(1), new AdamW(0.01), n -> { }))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no manifest.properties");
  }

  @Test
  void should_refuse_a_manifest_that_names_another_step_or_misses_a_file() throws IOException {
    Path ckpt = saveStep(checkpoints(), 2, 1);
    Path manifest = ckpt.resolve(Checkpoints.MANIFEST);
    String text = Files.readString(manifest);

    Files.writeString(manifest, text.replace("step=2", "step=3"));
    assertThat(checkpoints().problem(ckpt)).hasValueSatisfying(p -> assertThat(p).contains("records step 3"));

    Files.writeString(manifest, text);
    Files.delete(ckpt.resolve("adam_v.bin"));
    assertThat(checkpoints().problem(ckpt)).hasValue("adam_v.bin is missing");

    Files.writeString(manifest, "garbage\\u12");
    assertThat(checkpoints().problem(ckpt)).hasValueSatisfying(p -> assertThat(p).contains("unreadable"));
  }

  @Test
  void should_refuse_a_checkpoint_of_another_model_without_loading_any_of_it() {
    // given a checkpoint of a model with 3007 values, and a model with 3008
    Path ckpt = saveStep(checkpoints(), 2, 1);
    Map<String, float[]> other = params(4);
    other.put("extra.bias", new float[] {1f});
    Map<String, float[]> before = copy(other);

    // when / then
    assertThatThrownBy(() -> checkpoints().load(ckpt, other, new AdamW(0.01)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("does not match the model")
        .hasMessageContaining("the model's 3008 parameters");
    assertThat(other.get("layer.weight")).containsExactly(before.get("layer.weight"));
  }

  @Test
  void should_ignore_and_then_remove_a_temporary_folder_left_by_a_kill() throws IOException {
    // given a half-written folder left by a process killed while writing a checkpoint
    Path tmp = dir.resolve("checkpoints/step-00000006.tmp");
    Files.createDirectories(tmp);
    Files.write(tmp.resolve("params.bin"), new byte[12]);
    Checkpoints c = checkpoints();

    // when / then it is never a candidate for resume
    assertThat(c.list()).isEmpty();
    assertThat(c.resume(params(1), new AdamW(0.01), n -> { })).isEmpty();
    // and the next checkpoint clears it away
    saveStep(c, 2, 1);
    assertThat(children(dir.resolve("checkpoints"))).containsExactly("step-00000002");
  }

  static void flipByte(Path file) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long at = f.length() / 2;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x10);
    }
  }

  public static List<String> children(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
