package dev.gecko4j.core.vector.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VectorSupportProviderTest {

  private static final boolean MODULE_PRESENT =
      ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

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
    } else {
      assertThatThrownBy(() -> VectorSupportProvider.lookup("panama"))
          .isExactlyInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("-Dgecko4j.vector.impl=panama was given, but the Panama vector"
              + " kernels are not usable: Java vector incubator module is not readable.")
          .hasMessageContaining("--add-modules jdk.incubator.vector");
    }
  }

  @Test
  void should_choose_the_process_wide_implementation_once() {
    assertThat(VectorSupportProvider.get()).isSameAs(VectorSupportProvider.get());
  }
}
