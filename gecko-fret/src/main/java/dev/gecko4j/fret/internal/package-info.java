/**
 * Durable file writing shared by FRet's runs, exporters and gecko4j's Spark module: the JSONL
 * appender (line-atomic appends, fsync, torn-tail repair) and the file-channel seam tests fail on
 * purpose. Not API: {@code dev.gecko4j.fret} exports this package only to gecko4j's own modules,
 * and it may change in any release.
 */
package dev.gecko4j.fret.internal;
