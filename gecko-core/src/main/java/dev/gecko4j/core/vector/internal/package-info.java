/**
 * Internal SPI of the vector kernels (not a public API): {@link
 * dev.gecko4j.core.vector.internal.VectorSupport}, its scalar and Panama implementations, and
 * {@link dev.gecko4j.core.vector.internal.VectorSupportProvider}, which picks one per JVM. Only
 * this package imports {@code jdk.incubator.vector}, and only in {@link
 * dev.gecko4j.core.vector.internal.PanamaVectorSupport}, which is loaded by reflection after the
 * module was found.
 */
package dev.gecko4j.core.vector.internal;
