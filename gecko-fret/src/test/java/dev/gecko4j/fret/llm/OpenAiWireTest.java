package dev.gecko4j.fret.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gecko4j.core.internal.GeckoJson;
import dev.gecko4j.core.lm.GenerationOptions;
import dev.gecko4j.core.lm.LanguageModelException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OpenAI wire records: what is sent, and how strictly a reply is read. */
class OpenAiWireTest {

  private static JsonNode tree(String json) throws Exception {
    return GeckoJson.mapper().readTree(json);
  }

  @Test
  void should_write_the_scoring_request_with_echo_and_one_logprob_and_no_sampling_fields()
      throws Exception {
    JsonNode body = GeckoJson.mapper().valueToTree(
        OpenAiWire.CompletionRequest.scoring("m", List.of("a b", "c d")));
    assertThat(body.toString()).isEqualTo("{\"model\":\"m\",\"max_tokens\":1,\"temperature\":0.0,"
        + "\"prompt\":[\"a b\",\"c d\"],\"echo\":true,\"logprobs\":1}");
  }

  @Test
  void should_write_a_chat_request_with_its_sampling_options_and_top_logprobs() {
    GenerationOptions o = GenerationOptions.greedy(3);
    JsonNode body = GeckoJson.mapper().valueToTree(
        OpenAiWire.ChatRequest.of("m", o, "hi").withTopLogprobs(5));
    assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("user");
    assertThat(body.path("messages").get(0).path("content").asText()).isEqualTo("hi");
    assertThat(body.path("max_tokens").asInt()).isEqualTo(3);
    assertThat(body.path("logprobs").asBoolean()).isTrue();
    assertThat(body.path("top_logprobs").asInt()).isEqualTo(5);
    assertThat(body.has("stop")).isFalse();
  }

  @Test
  void should_put_choices_in_index_order_and_treat_a_non_string_text_as_missing()
      throws Exception {
    JsonNode reply = tree("{\"choices\":[{\"index\":1,\"text\":\"b\"},{\"index\":0,\"text\":7}]}");
    List<OpenAiWire.Choice> cs = OpenAiWire.choices(reply, 2, "/completions");
    assertThat(cs.get(1).text()).isEqualTo("b");
    assertThat(cs.get(0).text()).isNull();
    assertThatThrownBy(() -> OpenAiWire.generation(cs.get(0).text(), cs.get(0), "/completions",
        GenerationOptions.greedy(1)))
        .isInstanceOf(LanguageModelException.class)
        .hasMessageContaining("/completions returned a choice without text")
        .hasMessageContaining("\"index\":0");
  }

  @Test
  void should_name_a_reply_whose_choices_are_not_a_list() throws Exception {
    assertThatThrownBy(() -> OpenAiWire.choices(tree("{\"choices\":{\"text\":\"x\"}}"), 1, "/x"))
        .isInstanceOf(LanguageModelException.class)
        .hasMessageContaining("/x returned a reply that is not a Completion");
  }

  @Test
  void should_read_openai_vllm_and_plain_error_messages() {
    assertThat(OpenAiWire.errorMessage(
        "{\"error\":{\"message\":\"too long\",\"type\":\"invalid_request_error\"}}"))
        .isEqualTo("too long (invalid_request_error)");
    assertThat(OpenAiWire.errorMessage("{\"error\":\"bad\"}")).isEqualTo("bad");
    assertThat(OpenAiWire.errorMessage("{\"message\":\"old vllm\"}")).isEqualTo("old vllm");
    assertThat(OpenAiWire.errorMessage("<html>502</html>")).isEqualTo("<html>502</html>");
  }
}
