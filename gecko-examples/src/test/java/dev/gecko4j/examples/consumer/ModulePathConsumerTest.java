package dev.gecko4j.examples.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
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
 * A modular application, as a separate project would have it: a {@code module-info.java} that
 * {@code requires dev.gecko4j.train} and {@code dev.gecko4j.fret}, compiled with JDK 17's {@code
 * javac --release 17} and run by a plain {@code java --module-path ... -m} on the published jars
 * of gecko-train and gecko-fret, everything they bring, and one model artifact. It embeds one
 * sentence with the bundled default model and reports what the module system says: which
 * packages of gecko4j's modules it can read, and which ones are exported to gecko4j's modules
 * only.
 *
 * <p>Two jars that DJL brings stay on the class path, as the README's "Modules" section tells users:
 * {@code pytorch-native-cpu} (its manifest names the module {@code
 * ai.djl.pytorch_native_cpu_linux-x86_64}, not a legal name: a hyphen; it holds native libraries
 * only) and {@code commons-compress} (its module-info requires {@code org.apache.commons.lang3},
 * which DJL excludes). On the module path either one stops the JVM before {@code main}.
 *
 * <p>Needs the jars of a {@code package} run ({@code mvn verify}); skipped with a message when
 * they or a JDK are missing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModulePathConsumerTest {

  private static final String MODULE_INFO = String.join("\n",
      "module consumer {",
      "  requires dev.gecko4j.train;",
      "  requires dev.gecko4j.fret;",
      "}",
      "");

  private static final String PROGRAM = String.join("\n",
      "package consumer;",
      "",
      "import dev.gecko4j.core.Embedding;",
      "import dev.gecko4j.core.TaskPrompt;",
      "import dev.gecko4j.core.vector.VectorMath;",
      "import dev.gecko4j.fret.FretPipeline;",
      "import dev.gecko4j.onnx.OnnxEmbedder;",
      "import dev.gecko4j.train.GeckoTrainer;",
      "import dev.gecko4j.train.data.HardNegatives;",
      "",
      "public class Main {",
      "  public static void main(String[] args) throws Exception {",
      "    Module core = Embedding.class.getModule();",
      "    Module onnx = OnnxEmbedder.class.getModule();",
      "    Module train = GeckoTrainer.class.getModule();",
      "    Module fret = FretPipeline.class.getModule();",
      "    Module me = Main.class.getModule();",
      "    try (OnnxEmbedder embedder = OnnxEmbedder.builder().build()) {",
      "      Embedding e = embedder.embed(\"Geckos eat insects.\", TaskPrompt.document());",
      "      System.out.println(\"{\\\"modules\\\":\\\"\" + core.getName() + \",\" + onnx.getName()",
      "          + \",\" + train.getName() + \",\" + fret.getName() + \"\\\"\"",
      "          + \",\\\"dimension\\\":\" + e.dimension()",
      "          + \",\\\"kernels\\\":\\\"\" + VectorMath.implementation() + \"\\\"\"",
      "          + \",\\\"hardNegativesToRank\\\":\" + HardNegatives.DEFAULT.toRank()",
      "          + \",\\\"coreInternalToMe\\\":\" + core.isExported(\"dev.gecko4j.core.internal\", me)",
      "          + \",\\\"coreInternalToOnnx\\\":\" + core.isExported(\"dev.gecko4j.core.internal\", onnx)",
      "          + \",\\\"vectorInternal\\\":\" + core.isExported(\"dev.gecko4j.core.vector.internal\")",
      "          + \",\\\"trainOnnx\\\":\" + train.isExported(\"dev.gecko4j.train.onnx\")",
      "          + \",\\\"trainCheckpoint\\\":\" + train.isExported(\"dev.gecko4j.train.checkpoint\")",
      "          + \",\\\"trainApi\\\":\" + train.isExported(\"dev.gecko4j.train\")",
      "          + \",\\\"trainInternal\\\":\" + train.isExported(\"dev.gecko4j.train.internal\")",
      "          + \",\\\"fretInternalToMe\\\":\" + fret.isExported(\"dev.gecko4j.fret.internal\", me)",
      "          + \"}\");",
      "    }",
      "  }",
      "}",
      "");

  @TempDir static Path dir;
  private String modulePath;
  private String classPath;
  private Path classes;

  @BeforeAll
  void compileTheModularConsumerWithJdk17() throws Exception {
    Path trainJar = property("gecko.modulepath.train.jar");
    Path trainCp = property("gecko.modulepath.train.classpath");
    Path fretJar = property("gecko.modulepath.fret.jar");
    Path modelJar = property("gecko.consumer.model.jar");
    Path modelCp = property("gecko.consumer.model.classpath");
    for (Path p : List.of(trainJar, trainCp, fretJar, modelJar, modelCp)) {
      assumeThat(Files.isRegularFile(p)).as("needs %s (run mvn verify)", p).isTrue();
    }
    Path java17 = ChildJvm.jdk17();
    assumeThat(Files.isExecutable(java17)).as("no JDK 17 at %s", java17).isTrue();
    List<String> modules = new ArrayList<>(List.of(trainJar.toString(), fretJar.toString(),
        modelJar.toString()));
    List<String> plain = new ArrayList<>();
    for (Path cp : List.of(trainCp, modelCp)) {
      for (String entry : Files.readString(cp, StandardCharsets.UTF_8).strip()
          .split(File.pathSeparator)) {
        if (entry.isEmpty() || modules.contains(entry) || plain.contains(entry)) {
          continue;
        }
        assertThat(entry).as("the module path holds jars only").endsWith(".jar");
        String name = Path.of(entry).getFileName().toString();
        (name.startsWith("pytorch-native-") || name.startsWith("commons-compress-") ? plain : modules)
            .add(entry);
      }
    }
    modulePath = String.join(File.pathSeparator, modules);
    classPath = String.join(File.pathSeparator, plain);
    Path src = Files.createDirectories(dir.resolve("src/consumer"));
    Files.writeString(dir.resolve("src/module-info.java"), MODULE_INFO, StandardCharsets.UTF_8);
    Files.writeString(src.resolve("Main.java"), PROGRAM, StandardCharsets.UTF_8);
    classes = Files.createDirectories(dir.resolve("classes"));
    ChildJvm.Result compiled = ChildJvm.run(dir, List.of(java17.resolveSibling("javac").toString(), "--release", "17",
        "--module-path", modulePath, "-d", classes.toString(),
        dir.resolve("src/module-info.java").toString(), src.resolve("Main.java").toString()));
    assertThat(compiled.exit()).as("javac --release 17 said:%n%s", compiled.output()).isZero();
  }

  @Test
  void should_embed_on_the_module_path_of_jdk_17_and_see_only_the_exported_packages()
      throws Exception {
    // when
    JsonNode out = consumer(ChildJvm.jdk17(), List.of());
    // then: every gecko4j jar is a named module, and the module graph resolves
    assertThat(out.path("modules").asText())
        .isEqualTo("dev.gecko4j.core,dev.gecko4j.onnx,dev.gecko4j.train,dev.gecko4j.fret");
    assertThat(out.path("dimension").asInt()).isEqualTo(384);
    assertThat(out.path("kernels").asText()).isEqualTo("scalar");
    assertThat(out.path("hardNegativesToRank").asInt()).isPositive();
    // and the internal packages are closed to the application, open to gecko4j's own modules
    assertThat(out.path("coreInternalToMe").asBoolean()).isFalse();
    assertThat(out.path("coreInternalToOnnx").asBoolean()).isTrue();
    assertThat(out.path("vectorInternal").asBoolean()).isFalse();
    assertThat(out.path("trainOnnx").asBoolean()).isFalse();
    assertThat(out.path("trainCheckpoint").asBoolean()).isFalse();
    assertThat(out.path("trainApi").asBoolean()).isTrue();
    assertThat(out.path("trainInternal").asBoolean()).isFalse();
    assertThat(out.path("fretInternalToMe").asBoolean()).isFalse();
  }

  @Test
  void should_load_the_panama_kernels_of_the_named_module_on_jdk_25() throws Exception {
    assumeThat(Files.isExecutable(ChildJvm.jdk25())).as("no JDK 25 at %s", ChildJvm.jdk25()).isTrue();
    // when: the incubator module in the boot layer; gecko-core reads it at run time (addReads)
    JsonNode out = consumer(ChildJvm.jdk25(), List.of("--add-modules", "jdk.incubator.vector",
        "--enable-native-access=ALL-UNNAMED,ai.djl.tokenizers,com.microsoft.onnxruntime,com.sun.jna"));
    // then
    assertThat(out.path("kernels").asText()).isEqualTo("panama");
    assertThat(out.path("dimension").asInt()).isEqualTo(384);
  }

  private static Path property(String name) {
    return Path.of(System.getProperty(name, "missing-" + name)).normalize();
  }

  private JsonNode consumer(Path java, List<String> flags) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(java.toString());
    cmd.addAll(flags);
    cmd.add("-Xmx1g");
    if (!classPath.isEmpty()) {
      cmd.add("-cp");
      cmd.add(classPath);
    }
    cmd.add("--module-path");
    cmd.add(classes + File.pathSeparator + modulePath);
    // the model artifacts are resource-only automatic modules nobody requires: add them to the graph
    cmd.add("--add-modules");
    cmd.add("ALL-MODULE-PATH");
    cmd.add("-m");
    cmd.add("consumer/consumer.Main");
    return ChildJvm.lastJsonLine(dir, cmd);
  }
}
