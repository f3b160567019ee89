package dev.gecko4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Behaviour of {@link OrtSessionFactory} on the bundled all-MiniLM-L6-v2 model. */
class OrtSessionFactoryTest {

  private static final long[] IDS = {101, 7592, 2088, 102}; // [CLS] hello world [SEP]

  private static byte[] bundledModel() throws Exception {
    try (InputStream in = OrtSessionFactoryTest.class.getClassLoader()
        .getResourceAsStream(Models.ALL_MINILM_L6_V2.modelResource())) {
      return in.readAllBytes();
    }
  }

  /** Runs {@code session} on {@link #IDS} and returns its first output (the token states), flattened. */
  private static float[] tokenStates(OrtSession session) throws Exception {
    OrtEnvironment env = OrtRuntime.environment();
    long[] shape = {1, IDS.length};
    try (OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(IDS), shape);
        OnnxTensor mask = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {1, 1, 1, 1}),
            shape);
        OnnxTensor types = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[4]), shape);
        OrtSession.Result r = session.run(Map.of("input_ids", ids, "attention_mask", mask,
            "token_type_ids", types))) {
      FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
      float[] out = new float[fb.remaining()];
      fb.get(out);
      return out;
    }
  }

  @Test
  void should_open_a_session_that_runs_the_bundled_model_like_a_raw_session() throws Exception {
    // given
    byte[] model = bundledModel();
    OrtSessionFactory factory = OrtSessionFactory.builder().intraOpThreads(1).build();
    float[] expected;
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setIntraOpNumThreads(1);
      try (OrtSession raw = OrtRuntime.environment().createSession(model, so)) {
        expected = tokenStates(raw);
      }
    }

    // when
    OrtSessionFactory.Opened opened = factory.open(model, "classpath:all-minilm");

    // then
    try (OrtSession session = opened.session()) {
      assertThat(opened.executionProvider()).isEqualTo(ExecutionProvider.CPU);
      assertThat(tokenStates(session)).hasSize(IDS.length * 384).containsExactly(expected);
    }
  }

  @Test
  void should_open_a_model_file_at_every_optimisation_level(@TempDir Path tmp) throws Exception {
    // given
    Path file = Files.write(tmp.resolve("model.onnx"), bundledModel());
    for (GraphOptimization level : GraphOptimization.values()) {
      OrtSessionFactory factory = OrtSessionFactory.builder().graphOptimization(level)
          .intraOpThreads(1).interOpThreads(1).build();

      // when
      try (OrtSession session = factory.open(file).session()) {
        // then
        assertThat(tokenStates(session)).as("level %s", level).hasSize(IDS.length * 384);
      }
    }
  }

  @Test
  void should_fall_back_to_the_cpu_when_cuda_cannot_load() throws Exception {
    // given: the CPU build of ONNX Runtime (the default profile) has no CUDA provider
    OrtSessionFactory factory = OrtSessionFactory.builder()
        .executionProvider(ExecutionProvider.CUDA).build();

    // when
    OrtSessionFactory.Opened opened = factory.open(bundledModel(), "classpath:all-minilm");

    // then
    try (OrtSession session = opened.session()) {
      assertThat(factory.executionProvider()).isEqualTo(ExecutionProvider.CUDA);
      if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
        assertThat(opened.executionProvider()).isEqualTo(ExecutionProvider.CPU);
      }
      assertThat(tokenStates(session)).hasSize(IDS.length * 384);
    }
  }

  @Test
  void should_keep_every_setting_of_the_builder_which_returns_itself() {
    // given
    OrtSessionFactory.Builder b = OrtSessionFactory.builder();

    // when: setters called without using their result
    b.intraOpThreads(3);
    b.interOpThreads(2);
    b.graphOptimization(GraphOptimization.BASIC);
    b.executionProvider(ExecutionProvider.CUDA);
    b.cudaDevice(1);
    OrtSessionFactory f = b.build();

    // then
    assertThat(f.intraOpThreads()).isEqualTo(3);
    assertThat(f.interOpThreads()).isEqualTo(2);
    assertThat(f.graphOptimization()).isEqualTo(GraphOptimization.BASIC);
    assertThat(f.executionProvider()).isEqualTo(ExecutionProvider.CUDA);
    assertThat(f.cudaDevice()).isEqualTo(1);
    assertThat(OrtSessionFactory.builder().build().toString()).isEqualTo(
        "OrtSessionFactory[intraOpThreads=0, interOpThreads=0, optimization=ALL, provider=CPU]");
  }

  @Test
  void should_reject_bad_settings_at_build_naming_the_setting() {
    assertThatThrownBy(() -> OrtSessionFactory.builder().intraOpThreads(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("intraOpThreads must be in [0, 1024], but is: -1");
    assertThatThrownBy(() -> OrtSessionFactory.builder().interOpThreads(1025).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("interOpThreads must be in [0, 1024], but is: 1025");
    assertThatThrownBy(() -> OrtSessionFactory.builder().graphOptimization(null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("graphOptimization must be one of [NONE, BASIC, EXTENDED, ALL], but is: null");
    assertThatThrownBy(() -> OrtSessionFactory.builder().executionProvider(null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("executionProvider must be one of [CPU, CUDA], but is: null");
    assertThatThrownBy(() -> OrtSessionFactory.builder().cudaDevice(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cudaDevice must be >= 0, but is: -1");
  }

  @Test
  void should_name_the_location_when_a_model_cannot_be_opened(@TempDir Path tmp) throws Exception {
    OrtSessionFactory factory = OrtSessionFactory.builder().build();
    Path missing = tmp.resolve("missing.onnx");
    Path garbage = Files.write(tmp.resolve("garbage.onnx"), new byte[] {1, 2, 3, 4, 5});

    assertThatThrownBy(() -> factory.open(missing))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage(missing + ": found nothing, expected an ONNX model file");
    assertThatThrownBy(() -> factory.open(tmp))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage(tmp + ": found a folder, expected an ONNX model file");
    assertThatThrownBy(() -> factory.open(garbage))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith(garbage + ": found 5 bytes that ONNX Runtime cannot load (")
        .hasMessageEndingWith("), expected an ONNX model (ModelProto)");
    assertThatThrownBy(() -> factory.open(new byte[] {1, 2, 3}, "classpath:x.onnx"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith("classpath:x.onnx: found 3 bytes that ONNX Runtime cannot load (");
  }

  @Test
  void should_reject_null_and_blank_arguments_of_open() {
    OrtSessionFactory factory = OrtSessionFactory.builder().build();

    assertThatThrownBy(() -> factory.open((Path) null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("model must not be null");
    assertThatThrownBy(() -> factory.open(null, "classpath:x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("model must not be null");
    assertThatThrownBy(() -> factory.open(new byte[1], " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("location must not be blank, but is: \" \"");
  }
}
