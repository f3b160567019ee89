package dev.gecko4j.examples.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's program, as a separate project would have it: compiled with JDK 17's {@code javac
 * --release 17} against the built gecko-onnx jar and its runtime dependencies plus one model
 * artifact ({@code gecko-model-bge-small-en-v15} and the weights jar it brings) only, and run by a
 * plain {@code java -cp} (no Surefire, no gecko-examples), on JDK 17 and on JDK 25. It embeds with
 * the bundled default model, searches a {@code FlatIndex}, and prints which kernels it got: scalar
 * on 17 (also with {@code --add-modules jdk.incubator.vector}), Panama on 25 with the module (from
 * {@code META-INF/versions/25} of the gecko-core jar), scalar on 25 without it.
 *
 * <p>Needs the jars of a {@code package} run ({@code mvn verify}); skipped with a message when
 * they or a JDK are missing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsumerOnJdk17Test {

  private static final String PROGRAM = String.join("\n",
      "import dev.gecko4j.core.Embedding;",
      "import dev.gecko4j.core.TaskPrompt;",
      "import dev.gecko4j.core.index.FlatIndex;",
      "import dev.gecko4j.core.index.Hit;",
      "import dev.gecko4j.core.vector.Similarity;",
      "import dev.gecko4j.core.vector.VectorMath;",
      "import dev.gecko4j.onnx.OnnxEmbedder;",
      "import java.util.List;",
      "",
      "public class ConsumerMain {",
      "  public static void main(String[] args) throws Exception {",
      "    try (OnnxEmbedder embedder = OnnxEmbedder.builder().build()) {",
      "      List<String> docs = List.of(",
      "          \"Geckos eat insects such as crickets, moths and cockroaches.\",",
      "          \"The stock market fell sharply on Monday.\",",
      "          \"Paris is the capital of France.\");",
      "      FlatIndex index = new FlatIndex(embedder.dimension(), Similarity.COSINE);",
      "      for (int i = 0; i < docs.size(); i++) {",
      "        index.add(\"doc\" + i, embedder.embed(docs.get(i), TaskPrompt.document()));",
      "      }",
      "      Embedding q = embedder.embed(\"what do geckos eat?\",",
      "          TaskPrompt.query(TaskPrompt.SEARCH_RESULT));",
      "      List<Hit> hits = index.search(q.toArray(), 3);",
      "      System.out.println(\"{\\\"java\\\":\\\"\" + Runtime.version().feature()",
      "          + \"\\\",\\\"kernels\\\":\\\"\" + VectorMath.implementation()",
      "          + \"\\\",\\\"top\\\":\\\"\" + hits.get(0).id() + \"\\\",\\\"score\\\":\" + hits.get(0).score()",
      "          + \",\\\"second\\\":\" + hits.get(1).score() + \"}\");",
      "    }",
      "  }",
      "}",
      "");

  @TempDir static Path dir;
  private String classpath;
  private String withoutModel;
  private Path classes;

  @BeforeAll
  void compileTheConsumerWithJdk17() throws Exception {
    Path jar = Path.of(System.getProperty("gecko.consumer.jar", "missing")).normalize();
    Path cpFile = Path.of(System.getProperty("gecko.consumer.classpath", "missing"));
    assumeThat(Files.isRegularFile(jar) && Files.isRegularFile(cpFile))
        .as("needs the packaged gecko-onnx jar %s and %s (run mvn verify)", jar, cpFile)
        .isTrue();
    Path java17 = ChildJvm.jdk17();
    assumeThat(Files.isExecutable(java17)).as("no JDK 17 at %s", java17).isTrue();
    Path modelJar = Path.of(System.getProperty("gecko.consumer.model.jar", "missing")).normalize();
    Path modelCpFile = Path.of(System.getProperty("gecko.consumer.model.classpath", "missing"));
    assumeThat(Files.isRegularFile(modelJar) && Files.isRegularFile(modelCpFile))
        .as("needs the packaged model artifact %s and %s (run mvn verify)", modelJar, modelCpFile)
        .isTrue();
    withoutModel = jar + File.pathSeparator
        + Files.readString(cpFile, StandardCharsets.UTF_8).strip();
    assertThat(withoutModel).as("gecko-onnx brings no model weights").doesNotContain("langchain4j");
    classpath = withoutModel + File.pathSeparator + modelJar + File.pathSeparator
        + Files.readString(modelCpFile, StandardCharsets.UTF_8).strip();
    for (String entry : classpath.split(File.pathSeparator)) {
      assertThat(entry).as("consumer classpath holds jars only").endsWith(".jar");
      assertThat(Path.of(entry).getFileName().toString())
          .doesNotStartWith("gecko-examples").doesNotStartWith("gecko-fret")
          .doesNotStartWith("gecko-train");
    }
    Path source = dir.resolve("ConsumerMain.java");
    Files.writeString(source, PROGRAM, StandardCharsets.UTF_8);
    classes = Files.createDirectories(dir.resolve("classes"));
    Path javac = java17.resolveSibling("javac");
    ChildJvm.Result compiled = ChildJvm.run(dir, List.of(javac.toString(), "--release", "17", "-cp", classpath, "-d",
        classes.toString(), source.toString()));
    assertThat(compiled.exit()).as("javac --release 17 said:%n%s", compiled.output()).isZero();
  }

  private JsonNode on17;

  /** The plain JDK 17 run, shared by two tests (each child JVM loads ONNX Runtime and a model). */
  private JsonNode on17() throws Exception {
    if (on17 == null) {
      on17 = consumer(ChildJvm.jdk17(), List.of());
    }
    return on17;
  }

  @Test
  void should_embed_and_search_on_jdk_17_with_only_the_published_jars() throws Exception {
    // when
    JsonNode out = on17();
    // then
    assertThat(out.path("java").asText()).isEqualTo("17");
    assertThat(out.path("kernels").asText()).isEqualTo("scalar");
    assertThat(out.path("top").asText()).isEqualTo("doc0");
    assertThat(out.path("score").asDouble()).isGreaterThan(out.path("second").asDouble() + 0.1);
  }

  @Test
  void should_stay_on_scalar_kernels_on_jdk_17_even_with_the_incubator_module() throws Exception {
    // when
    JsonNode out = consumer(ChildJvm.jdk17(), List.of("--add-modules", "jdk.incubator.vector"));
    // then
    assertThat(out.path("kernels").asText()).isEqualTo("scalar");
    assertThat(out.path("top").asText()).isEqualTo("doc0");
  }

  @Test
  void should_use_the_panama_kernels_of_the_multi_release_jar_on_jdk_25() throws Exception {
    assumeThat(Files.isExecutable(ChildJvm.jdk25())).as("no JDK 25 at %s", ChildJvm.jdk25()).isTrue();
    // when
    JsonNode panama = consumer(ChildJvm.jdk25(), List.of("--add-modules", "jdk.incubator.vector",
        "--enable-native-access=ALL-UNNAMED"));
    JsonNode scalar = consumer(ChildJvm.jdk25(), List.of("--enable-native-access=ALL-UNNAMED"));
    JsonNode on17 = on17();
    // then: Panama with the module, scalar without; the same hit and score as on 17
    assertThat(panama.path("java").asText()).isEqualTo("25");
    assertThat(panama.path("kernels").asText()).isEqualTo("panama");
    assertThat(scalar.path("kernels").asText()).isEqualTo("scalar");
    assertThat(panama.path("top").asText()).isEqualTo(on17.path("top").asText());
    assertThat(panama.path("score").asDouble())
        .isCloseTo(on17.path("score").asDouble(), org.assertj.core.data.Offset.offset(1e-5));
  }

  @Test
  void should_name_its_module_in_the_manifest_of_the_published_jars() throws IOException {
    Path jar = Path.of(System.getProperty("gecko.consumer.jar")).normalize();
    Path modelJar = Path.of(System.getProperty("gecko.consumer.model.jar")).normalize();
    try (java.util.jar.JarFile onnx = new java.util.jar.JarFile(jar.toFile());
        java.util.jar.JarFile model = new java.util.jar.JarFile(modelJar.toFile())) {
      assertThat(onnx.getManifest().getMainAttributes().getValue("Automatic-Module-Name"))
          .isEqualTo("dev.gecko4j.onnx");
      assertThat(model.getManifest().getMainAttributes().getValue("Automatic-Module-Name"))
          .isEqualTo("dev.gecko4j.model.bgesmallenv15");
    }
  }

  @Test
  void should_name_the_model_artifact_to_add_when_the_application_lacks_it() throws Exception {
    // when: the same program with gecko-onnx and no model artifact
    ChildJvm.Result r = ChildJvm.run(dir, command(ChildJvm.jdk17(), List.of(), withoutModel));
    // then
    assertThat(r.exit()).as("exit code; output:%n%s", r.output()).isNotZero();
    assertThat(r.output()).contains("ModelLoadException: classpath:bge-small-en-v1.5")
        .contains(": found no such resource: the model bge-small-en-v1.5 is not on the classpath;"
            + " add the dependency dev.gecko4j:gecko-model-bge-small-en-v15");
  }

  private List<String> command(Path java, List<String> flags, String cp) {
    List<String> cmd = new ArrayList<>();
    cmd.add(java.toString());
    cmd.addAll(flags);
    cmd.add("-Xmx1g");
    cmd.add("-cp");
    cmd.add(classes + File.pathSeparator + cp);
    cmd.add("ConsumerMain");
    return cmd;
  }

  private JsonNode consumer(Path java, List<String> flags) throws Exception {
    return ChildJvm.lastJsonLine(dir, command(java, flags, classpath));
  }
}
