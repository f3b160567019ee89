package dev.gecko4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.lm.GenerationOptions;
import dev.gecko4j.core.testing.SharedData;
import dev.gecko4j.onnx.lm.OnnxCausalLanguageModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@code close()} while other threads are still calling: in-flight calls finish (close waits for
 * them), later ones fail with {@link IllegalStateException} naming the closed model, and no call
 * reaches the freed native session (which would crash the JVM rather than fail this test).
 */
class CloseUnderLoadTest {

  private static final int THREADS = 4;

  @Test
  void should_let_running_embeds_finish_and_refuse_later_ones_when_closed_under_load()
      throws Exception {
    OnnxEmbedder embedder = OnnxEmbedder.builder().model(Models.ALL_MINILM_L6_V2)
        .intraOpThreads(1).concurrentBatches(2).maxBatchSize(4).build();
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      texts.add("text number " + i + " about geckos and their food");
    }
    float[] expected = embedder.embed(texts.get(0), TaskPrompt.document()).toArray();

    Outcome outcome = hammer(() -> {
      List<Embedding> out = embedder.embedAll(texts, TaskPrompt.document());
      assertThat(out.get(0).toArray()).containsExactly(expected);
      return null;
    }, embedder::close);

    assertThat(outcome.unexpected).as("failures other than IllegalStateException").isEmpty();
    assertThat(outcome.completed.get()).as("calls that completed before close").isPositive();
    assertThat(outcome.refused).as("calls refused after close").isNotEmpty()
        .allMatch(m -> m.contains("is closed"), "name the closed embedder");
  }

  @Test
  void should_let_running_generations_finish_and_refuse_later_ones_when_closed_under_load()
      throws Exception {
    Path dir = SharedData.require("models", "stories260K");
    OnnxCausalLanguageModel lm = OnnxCausalLanguageModel.builder(dir).intraOpThreads(1).build();

    Outcome outcome = hammer(() -> {
      lm.generate(List.of("Once upon a time", "The cat"), GenerationOptions.greedy(6));
      return null;
    }, lm::close);

    assertThat(outcome.unexpected).as("failures other than IllegalStateException").isEmpty();
    assertThat(outcome.completed.get()).isPositive();
    assertThat(outcome.refused).isNotEmpty().allMatch(m -> m.contains("is closed"));
  }

  /** Runs {@code call} in a loop on several threads, closes after some calls, lets threads end. */
  private static Outcome hammer(Supplier<Void> call, Runnable close) throws Exception {
    Outcome o = new Outcome();
    CountDownLatch warm = new CountDownLatch(THREADS * 2);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      Thread th = new Thread(() -> {
        while (true) {
          try {
            call.get();
            o.completed.incrementAndGet();
            warm.countDown();
          } catch (IllegalStateException e) {
            o.refused.add(String.valueOf(e.getMessage()));
            return;
          } catch (Throwable e) {
            o.unexpected.add(e.toString());
            return;
          }
        }
      }, "caller-" + t);
      th.start();
      threads.add(th);
    }
    assertThat(warm.await(2, TimeUnit.MINUTES)).as("callers got going").isTrue();
    close.run();
    close.run(); // idempotent, also under load
    for (Thread th : threads) {
      th.join(TimeUnit.MINUTES.toMillis(2));
      assertThat(th.isAlive()).as(th.getName() + " ended after close").isFalse();
    }
    return o;
  }

  private static final class Outcome {
    final AtomicInteger completed = new AtomicInteger();
    final List<String> refused = Collections.synchronizedList(new ArrayList<>());
    final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
  }
}
