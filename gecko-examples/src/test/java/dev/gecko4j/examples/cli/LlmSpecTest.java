package dev.gecko4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.core.lm.LanguageModelSpec;
import dev.gecko4j.core.lm.LanguageModels;
import dev.gecko4j.fret.llm.Endpoint;
import dev.gecko4j.fret.llm.OpenAiLanguageModelProvider;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests the parsing of {@code --llm} values. */
class LlmSpecTest {

  @Test
  void should_parse_an_onnx_folder() {
    assertThat(LlmSpec.parse("onnx:/models/stories260K").spec())
        .isEqualTo(LanguageModelSpec.of("onnx", "/models/stories260K"));
  }

  @Test
  void should_parse_an_openai_url_with_model_and_endpoint() {
    LanguageModelSpec s = LlmSpec.parse(
        "openai:http://localhost:8000/v1?model=Qwen%2FQwen2.5-7B&endpoint=completions").spec();

    assertThat(s.kind()).isEqualTo("openai");
    assertThat(s.target()).isEqualTo("http://localhost:8000/v1");
    assertThat(s.parameter("model")).hasValue("Qwen/Qwen2.5-7B");
    assertThat(OpenAiLanguageModelProvider.endpoint(s)).isEqualTo(Endpoint.COMPLETIONS);
  }

  /** The spec strings of README.md and BENCHMARKS.md, and the forms the help text names. */
  @ParameterizedTest
  @ValueSource(strings = {"onnx:../shared/data/models/stories260K", "onnx:/tmp/kv/stories260K-kv",
      "openai:http://localhost:8000/v1", "openai:", "openai:http://llm:8000/v1?model=mistral",
      "openai:http://h/v1?endpoint=completions", "onnx:/m?threads=2", "bytes:user-kind"})
  void should_resolve_through_the_parser_gecko_spark_uses(String text) {
    assertThat(LlmSpec.parse(text).spec()).isEqualTo(LanguageModels.parse(text));
  }

  @Test
  void should_open_an_openai_client_from_the_environment_without_contacting_the_server() {
    try (LanguageModel lm = LlmSpec.parse("openai:").open(
        Map.of("OPENAI_BASE_URL", "http://127.0.0.1:1/v1", "GECKO_LLM_MODEL", "m"))) {
      assertThat(lm.name()).isEqualTo("openai:m@http://127.0.0.1:1/v1");
    }
  }

  @Test
  void should_open_the_kind_of_a_provider_a_user_registered() {
    // gecko-core's test jar registers the "bytes" provider in its META-INF/services
    try (LanguageModel lm = LlmSpec.parse("bytes:toy").open(Map.of())) {
      assertThat(lm.name()).isEqualTo("bytes:toy");
    }
  }

  @Test
  void should_find_the_providers_of_gecko_onnx_and_gecko_fret() {
    assertThat(LanguageModels.providers().keySet()).contains("onnx", "openai");
    assertThat(LanguageModels.usage()).contains("onnx:<dir>[?threads=N]",
        "openai:<base-url>[?model=NAME&endpoint=chat|completions]");
  }

  @Test
  void should_reject_unknown_kinds_and_parameters() {
    assertThatThrownBy(() -> LlmSpec.parse("hf:gpt2")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--llm: unknown language model kind 'hf' (in 'hf:gpt2'); kinds on"
            + " the class path: ")
        .hasMessageContaining("onnx (onnx:<dir>[?threads=N])")
        .hasMessageContaining("openai (openai:<base-url>[?model=NAME&endpoint=chat|completions])");
    assertThatThrownBy(() -> LlmSpec.parse("onnx:")).hasMessageContaining("needs a folder");
    assertThatThrownBy(() -> LlmSpec.parse("onnx:/m?threads=0"))
        .hasMessage("--llm: onnx: threads must be an integer >= 1, but is: '0' in: 'onnx:/m?threads=0'");
    assertThatThrownBy(() -> LlmSpec.parse("openai:http://h/v1?temperature=1"))
        .hasMessage("--llm: openai: accepts the parameters [endpoint, model], but got 'temperature'"
            + " in: 'openai:http://h/v1?temperature=1' (form:"
            + " openai:<base-url>[?model=NAME&endpoint=chat|completions])");
    assertThatThrownBy(() -> LlmSpec.parse("openai:http://h/v1?endpoint=embeddings"))
        .hasMessage("--llm: openai: endpoint must be chat or completions, but is: 'embeddings' in:"
            + " 'openai:http://h/v1?endpoint=embeddings'");
    assertThatThrownBy(() -> LlmSpec.parse("openai:localhost:8000"))
        .hasMessageContaining("baseUrl must be an absolute http(s) URL");
    assertThatThrownBy(() -> LlmSpec.parse("stories260K"))
        .hasMessageContaining("must be kind:target");
  }

  @Test
  void should_say_the_folder_is_missing_when_opening() {
    assertThatThrownBy(() -> LlmSpec.parse("onnx:/no/such/folder").open(Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/no/such/folder is not one");
  }
}
