/**
 * A FRet run that survives kills: {@link dev.gecko4j.fret.run.MiningRun} mines a stream of seeds
 * ({@link dev.gecko4j.fret.run.BeirSeeds}) into an append-only JSONL file, each row forced to disk
 * before it is reported, drops logged beside it, and
 * resumes from what a killed run left ({@link dev.gecko4j.fret.run.FretRows}); {@link
 * dev.gecko4j.fret.run.MiningListener} hears rows and drops, {@link
 * dev.gecko4j.fret.run.FretStats} sums them up, and {@link dev.gecko4j.fret.run.StopSignal} turns
 * {@code SIGTERM} into a polite stop. {@link dev.gecko4j.fret.run.SynthRun} writes E5-mistral's
 * synthetic triplets the same way ({@link dev.gecko4j.fret.run.SynthStats} sums them up).
 */
package dev.gecko4j.fret.run;
