/**
 * Helpers shared by gecko4j's modules: argument checks ({@link dev.gecko4j.core.internal.Args}) and
 * the one JSON configuration ({@link dev.gecko4j.core.internal.GeckoJson}).
 *
 * <p>Not API: public only so that gecko4j's other modules can use them; they may change in any
 * release.
 */
package dev.gecko4j.core.internal;
