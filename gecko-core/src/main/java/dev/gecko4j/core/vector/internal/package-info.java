/**
 * Internal SPI of the vector kernels (not a public API): {@link
 * dev.gecko4j.core.vector.internal.VectorSupport}, its scalar and Panama implementations, and
 * {@link dev.gecko4j.core.vector.internal.VectorSupportProvider}, which picks one per JVM. Only
 * this package imports {@code jdk.incubator.vector}, and only in {@code PanamaVectorSupport}
 * (source in {@code src/main/java25}, compiled for Java 25 into {@code META-INF/versions/25} of
 * the multi-release jar), which is loaded by reflection on Java 25+ after the module was found.
 */
package dev.gecko4j.core.vector.internal;
