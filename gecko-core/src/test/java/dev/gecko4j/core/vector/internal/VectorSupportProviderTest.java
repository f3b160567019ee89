package dev.gecko4j.core.vector.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VectorSupportProviderTest {

  private static final int FEATURE = Runtime.version().feature();
  /** The Panama kernels need Java 25+ and the incubator module in the boot layer. */
  private static final boolean MODULE_PRESENT = FEATURE >= 25
      && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

  @Test
  void should_use_scalar_kernels_when_forced() {
    // when
    VectorSupport support = VectorSupportProvider.lookup("scalar");
    // then
    assertThat(support).isInstanceOf(ScalarVectorSupport.class);
    assertThat(support.name()).isEqualTo("scalar");
  }

  @Test
  void should_reject_an_unknown_forced_value_and_list_the_valid_ones() {
    assertThatThrownBy(() -> VectorSupportProvider.lookup("avx"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown value of -Dgecko4j.vector.impl: 'avx'. Valid values are: [scalar, panama]");
  }

  @Test
  void should_pick_panama_by_default_exactly_when_the_incubator_module_is_present() {
    // when
    VectorSupport support = VectorSupportProvider.lookup(null);
    // then
    assertThat(support.name()).isEqualTo(MODULE_PRESENT ? "panama" : "scalar");
    assertThat(VectorSupportProvider.panama().isPresent()).isEqualTo(MODULE_PRESENT);
    assertThat(VectorSupportProvider.panamaUnavailableReason().isEmpty()).isEqualTo(MODULE_PRESENT);
  }

  @Test
  void should_honour_forced_panama_or_fail_clearly_without_the_module() {
    if (MODULE_PRESENT) {
      assertThat(VectorSupportProvider.lookup("PANAMA").name()).isEqualTo("panama");
    } else if (FEATURE >= 25) {
      assertThatThrownBy(() -> VectorSupportProvider.lookup("panama"))
          .isExactlyInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("-Dgecko4j.vector.impl=panama was given, but the Panama vector"
              + " kernels are not usable: Java vector incubator module is not readable.")
          .hasMessageContaining("--add-modules jdk.incubator.vector");
    } else {
      assertThatThrownBy(() -> VectorSupportProvider.lookup("panama"))
          .isExactlyInstanceOf(IllegalStateException.class)
          .hasMessageContaining("this JVM is Java " + FEATURE + "; the Panama vector kernels need"
              + " Java 25 or newer");
    }
  }

  @Test
  void should_choose_panama_on_java_25_with_the_module_and_scalar_with_the_reason_otherwise() {
    // when
    String chosen = VectorSupportProvider.get().name();
    java.util.Optional<String> reason = VectorSupportProvider.panamaUnavailableReason();
    // then
    boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    if (FEATURE >= 25 && module) {
      assertThat(chosen).isEqualTo("panama");
      assertThat(reason).isEmpty();
    } else if (FEATURE >= 25) {
      assertThat(chosen).isEqualTo("scalar");
      assertThat(reason).hasValueSatisfying(r -> assertThat(r)
          .startsWith("Java vector incubator module is not readable."));
    } else {
      // on 17 (and 21) even with --add-modules jdk.incubator.vector: that incubator API differs
      assertThat(chosen).isEqualTo("scalar");
      assertThat(reason).hasValue("this JVM is Java " + FEATURE + "; the Panama vector kernels"
          + " need Java 25 or newer (they are compiled against its jdk.incubator.vector).");
    }
  }

  @Test
  void should_choose_the_process_wide_implementation_once() {
    assertThat(VectorSupportProvider.get()).isSameAs(VectorSupportProvider.get());
  }
}
