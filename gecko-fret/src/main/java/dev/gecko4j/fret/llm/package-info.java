/**
 * An OpenAI-compatible {@link dev.gecko4j.core.lm.LanguageModel} client ({@link
 * dev.gecko4j.fret.llm.OpenAiLanguageModel}) for OpenAI, vLLM or llama.cpp's server: generation
 * through chat or completions, continuation scoring from prompt log-probabilities where the server
 * returns them, label log-probabilities from first-token alternatives where it does not. Inside:
 * the HTTP transport with retries and timeouts, the wire format as Jackson-bound records, and the
 * probe of what a server can do.
 */
package dev.gecko4j.fret.llm;
