package dev.gecko4j.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gecko4j.onnx.ModelSpec;
import dev.gecko4j.train.GeckoTrainer;
import dev.gecko4j.train.lora.LoraAdapterFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gecko lora merge}: applies LoRA adapters written by {@code gecko train --lora-rank}
 * ({@code adapter/}: PEFT's {@code adapter_model.safetensors} + {@code adapter_config.json}) to
 * their base model and writes the merged model folder, the same one the trainer exports to {@code
 * model/}. Ends with one JSON line.
 */
@Command(name = "lora", mixinStandardHelpOptions = true,
    description = "Work with LoRA adapters (PEFT layout).",
    subcommands = {LoraCommand.Merge.class})
public final class LoraCommand implements Runnable {
  private static final ObjectMapper JSON = dev.gecko4j.core.internal.GeckoJson.mapper();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Creates the command (picocli instantiates it). */
  public LoraCommand() {}

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /** {@code gecko lora merge --adapter DIR [--base MODEL] --out DIR}. */
  @Command(name = "merge", mixinStandardHelpOptions = true,
      description = "Merge adapters into their base model; ends with {\"out\": ..., \"modules\": N, ...}.")
  static final class Merge extends GeckoCommand {
    @Option(names = "--adapter", required = true, description = "the adapter folder (adapter_config.json, adapter_model.safetensors)")
    Path adapter;

    @Option(names = "--base", description = "bundled model name or model folder (default: the adapter's base_model_name_or_path)")
    String base;

    @Option(names = "--out", required = true, description = "the merged model folder to write")
    Path out;

    @Override
    public Integer call() throws Exception {
      long t0 = System.nanoTime();
      LoraAdapterFiles.Adapter a;
      try {
        a = LoraAdapterFiles.read(adapter);
      } catch (IllegalArgumentException e) {
        throw badOption("--adapter: %s", e.getMessage());
      }
      String baseModel = base != null ? base : a.baseModel();
      if (baseModel == null || baseModel.isBlank()) {
        throw badOption("--base is needed: %s names no base_model_name_or_path", adapter);
      }
      ModelSpec spec = GeckoTrainer.resolve(baseModel);
      System.err.printf("lora: merging %d adapted projections (r=%d, alpha=%s) into %s%n",
          a.modules().size(), a.config().rank(), a.config().alpha(), baseModel);
      Path folder = LoraAdapterFiles.merge(spec, adapter, out);
      ObjectNode r = JSON.createObjectNode();
      r.put("out", folder.toString());
      r.put("base", baseModel);
      r.put("modules", a.modules().size());
      r.put("r", a.config().rank());
      r.put("lora_alpha", a.config().alpha());
      r.put("adapter_bytes", Files.size(adapter.resolve(LoraAdapterFiles.WEIGHTS)));
      r.put("seconds", (System.nanoTime() - t0) / 1e9);
      System.out.println(JSON.writeValueAsString(r));
      return 0;
    }
  }
}
