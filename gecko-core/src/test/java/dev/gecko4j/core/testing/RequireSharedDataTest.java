package dev.gecko4j.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class RequireSharedDataTest {

  private final RequireSharedData extension = new RequireSharedData();

  @Test
  void should_turn_a_missing_data_skip_into_a_failure_when_data_is_required() {
    String before = System.getProperty("gecko4j.requireData");
    System.setProperty("gecko4j.requireData", "true");
    try {
      assertThatThrownBy(() -> extension.handleTestExecutionException(null,
          new TestAbortedException("needs /x/shared/data/sts (../shared/data beside the repo)")))
          .isInstanceOf(AssertionError.class).hasMessageContaining("../shared/data beside the repo");
      assertThatThrownBy(() -> extension.handleBeforeEachMethodExecutionException(null,
          new TestAbortedException("Panama kernels unavailable")))
          .as("other skips stay skips").isInstanceOf(TestAbortedException.class);
    } finally {
      restore(before);
    }
  }

  @Test
  void should_leave_a_missing_data_skip_a_skip_when_data_is_not_required() {
    String before = System.getProperty("gecko4j.requireData");
    System.setProperty("gecko4j.requireData", "false");
    try {
      TestAbortedException skip = new TestAbortedException("needs ../shared/data beside the repo");
      assertThatThrownBy(() -> extension.handleTestExecutionException(null, skip)).isSameAs(skip);
      assertThat(RequireSharedData.isMissingData(skip)).isTrue();
    } finally {
      restore(before);
    }
  }

  private static void restore(String before) {
    if (before == null) {
      System.clearProperty("gecko4j.requireData");
    } else {
      System.setProperty("gecko4j.requireData", before);
    }
  }
}
