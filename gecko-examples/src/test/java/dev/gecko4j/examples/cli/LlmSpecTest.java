package dev.gecko4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.fret.llm.Endpoint;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests the parsing of {@code --llm} values. */
class LlmSpecTest {

  @Test
  void should_parse_an_onnx_folder() {
    assertThat(LlmSpec.parse("onnx:/models/stories260K"))
        .isEqualTo(new LlmSpec("onnx", "/models/stories260K", null, Endpoint.CHAT));
  }

  @Test
  void should_parse_an_openai_url_with_model_and_endpoint() {
    LlmSpec s = LlmSpec.parse("openai:http://localhost:8000/v1?model=Qwen%2FQwen2.5-7B&endpoint=completions");

    assertThat(s.kind()).isEqualTo("openai");
    assertThat(s.target()).isEqualTo("http://localhost:8000/v1");
    assertThat(s.model()).isEqualTo("Qwen/Qwen2.5-7B");
    assertThat(s.endpoint()).isEqualTo(Endpoint.COMPLETIONS);
  }

  @Test
  void should_open_an_openai_client_from_the_environment_without_contacting_the_server() {
    try (LanguageModel lm = LlmSpec.parse("openai:").open(
        Map.of("OPENAI_BASE_URL", "http://127.0.0.1:1/v1", "GECKO_LLM_MODEL", "m"))) {
      assertThat(lm.name()).isEqualTo("openai:m@http://127.0.0.1:1/v1");
    }
  }

  @Test
  void should_reject_unknown_kinds_and_parameters() {
    assertThatThrownBy(() -> LlmSpec.parse("hf:gpt2")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hf:gpt2");
    assertThatThrownBy(() -> LlmSpec.parse("onnx:")).hasMessageContaining("needs a folder");
    assertThatThrownBy(() -> LlmSpec.parse("openai:http://h/v1?temperature=1")).hasMessageContaining("temperature");
    assertThatThrownBy(() -> LlmSpec.parse("openai:http://h/v1?endpoint=embeddings")).hasMessageContaining("embeddings");
  }
}
