/**
 * FRet (Gecko's two-step LLM distillation) as core types: the {@link dev.gecko4j.core.fret.FretMiner}
 * interface, its input {@link dev.gecko4j.core.fret.FretSeed}, output
 * {@link dev.gecko4j.core.fret.FretExample} and options {@link dev.gecko4j.core.fret.FretOptions}.
 * The implementation lives in module {@code gecko-fret}.
 */
package dev.gecko4j.core.fret;
