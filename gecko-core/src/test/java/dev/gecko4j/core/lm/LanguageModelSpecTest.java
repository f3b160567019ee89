package dev.gecko4j.core.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests the one parser of {@code kind:target?params} and the provider lookup behind it. */
class LanguageModelSpecTest {

  @Test
  void should_split_kind_target_and_decoded_parameters() {
    LanguageModelSpec s = LanguageModelSpec.parse(
        "openai:http://localhost:8000/v1?model=Qwen%2FQwen2.5-7B&endpoint=completions");

    assertThat(s.kind()).isEqualTo("openai");
    assertThat(s.target()).isEqualTo("http://localhost:8000/v1");
    assertThat(s.parameters()).containsExactly(Map.entry("model", "Qwen/Qwen2.5-7B"),
        Map.entry("endpoint", "completions"));
  }

  @Test
  void should_keep_the_target_verbatim_and_allow_it_empty() {
    assertThat(LanguageModelSpec.parse("onnx:../shared/data/models/stories260K"))
        .isEqualTo(LanguageModelSpec.of("onnx", "../shared/data/models/stories260K"));
    assertThat(LanguageModelSpec.parse("openai:")).isEqualTo(LanguageModelSpec.of("openai", ""));
    assertThat(LanguageModelSpec.parse("onnx:C:/models/a b").target()).isEqualTo("C:/models/a b");
  }

  @Test
  void should_write_back_the_form_it_parses() {
    for (String text : List.of("onnx:/m", "openai:http://h:1/v1?model=a%2Fb+c&endpoint=chat", "openai:")) {
      LanguageModelSpec s = LanguageModelSpec.parse(text);
      assertThat(LanguageModelSpec.parse(s.toString())).isEqualTo(s);
    }
  }

  @Test
  void should_reject_bad_syntax_naming_the_text() {
    assertThatThrownBy(() -> LanguageModelSpec.parse(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("a language model spec must be kind:target[?name=value&...] (e.g. onnx:<dir>"
            + " or openai:<base-url>), but is: null");
    assertThatThrownBy(() -> LanguageModelSpec.parse("/models/stories260K"))
        .hasMessageContaining("must be kind:target").hasMessageContaining("'/models/stories260K'");
    assertThatThrownBy(() -> LanguageModelSpec.parse(":x")).hasMessageContaining("must be kind:target");
    assertThatThrownBy(() -> LanguageModelSpec.parse("9x:y"))
        .hasMessageContaining("must be a letter").hasMessageContaining("'9x'");
    assertThatThrownBy(() -> LanguageModelSpec.parse("openai:http://h/v1?"))
        .hasMessageContaining("needs a name");
    assertThatThrownBy(() -> LanguageModelSpec.parse("openai:http://h/v1?model=a&model=b"))
        .hasMessage("parameter 'model' is given twice in: 'openai:http://h/v1?model=a&model=b'");
    assertThatThrownBy(() -> LanguageModelSpec.parse("openai:http://h/v1?model=%zz"))
        .hasMessageContaining("parameter 'model' is not valid URL encoding");
  }

  @Test
  void should_find_a_provider_registered_in_a_jars_meta_inf_services() {
    assertThat(LanguageModels.providers()).containsKey("bytes");
    assertThat(LanguageModels.provider("bytes")).isInstanceOf(UniformBytesProvider.class);
  }

  @Test
  void should_open_a_model_through_the_provider_of_its_kind() {
    LanguageModelSpec spec = LanguageModels.parse("bytes:toy?alphabet=4");
    try (LanguageModel lm = LanguageModels.open(spec, Map.of("BYTES_SUFFIX", "@env"))) {
      assertThat(lm.name()).isEqualTo("bytes:toy@env");
      assertThat(lm.score(List.of(new ScoreRequest("p", "abc"))).get(0).logProbability())
          .isCloseTo(3 * -Math.log(4), within(1e-12));
    }
  }

  @Test
  void should_list_the_kinds_on_the_class_path_and_the_artifacts_of_gecko4js_kinds() {
    assertThatThrownBy(() -> LanguageModels.parse("hf:gpt2"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("unknown language model kind 'hf' (in 'hf:gpt2'); kinds on the"
            + " class path: ")
        .hasMessageContaining("bytes (bytes:<name>[?alphabet=N])")
        .hasMessageEndingWith("gecko4j's kinds come with: onnx -> dev.gecko4j:gecko-onnx,"
            + " openai -> dev.gecko4j:gecko-fret");
  }

  @Test
  void should_name_the_artifact_to_add_for_a_gecko4j_kind_missing_from_the_class_path() {
    // gecko-core's tests have neither gecko-onnx nor gecko-fret on the class path
    assertThatThrownBy(() -> LanguageModels.parse("openai:http://localhost:8000/v1"))
        .hasMessageStartingWith("language model kind 'openai' is provided by"
            + " dev.gecko4j:gecko-fret, which is not on the class path: add that dependency");
    assertThatThrownBy(() -> LanguageModels.provider("onnx"))
        .hasMessageStartingWith("language model kind 'onnx' is provided by dev.gecko4j:gecko-onnx");
  }

  @Test
  void should_reject_parameters_the_provider_does_not_accept_listing_those_it_does() {
    assertThatThrownBy(() -> LanguageModels.parse("bytes:toy?temperature=1"))
        .hasMessage("bytes: accepts the parameters [alphabet], but got 'temperature' in:"
            + " 'bytes:toy?temperature=1' (form: bytes:<name>[?alphabet=N])");
    assertThatThrownBy(() -> LanguageModels.parse("bytes:toy?alphabet=0"))
        .hasMessage("bytes: alphabet must be an integer >= 1, but is: '0'");
  }

  @Test
  void should_reject_null_arguments() {
    assertThatThrownBy(() -> LanguageModels.open(null)).hasMessage("spec must not be null");
    assertThatThrownBy(() -> LanguageModels.open(LanguageModelSpec.of("bytes", "x"), null))
        .hasMessage("environment must not be null");
    assertThatThrownBy(() -> LanguageModelSpec.of("bytes", null))
        .hasMessage("target must not be null (use \"\" for none)");
  }
}
