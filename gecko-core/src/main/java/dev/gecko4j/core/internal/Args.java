package dev.gecko4j.core.internal;

import java.util.Collection;
import java.util.List;

/**
 * The argument checks of every gecko4j module, one convention: a bad argument throws {@link
 * IllegalArgumentException} whose message names the argument, says what was expected and shows
 * the value it got ({@code "batchSize must be >= 1, but is: 0"}). Nulls are bad arguments too
 * (never {@link NullPointerException}).
 *
 * <p>Not API (see the package documentation).
 */
public final class Args {

  private Args() {}

  /**
   * Fails unless {@code condition} holds.
   *
   * @param condition what must hold
   * @param template the message, with {@code %s} placeholders as in {@link String#format}
   * @param values the values for the placeholders
   * @throws IllegalArgumentException with the formatted message if {@code condition} is false
   */
  public static void require(boolean condition, String template, Object... values) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(template, values));
    }
  }

  /**
   * Returns {@code value} if it is not null.
   *
   * @param value the argument
   * @param name its name, for the message
   * @param <T> its type
   * @return {@code value}
   * @throws IllegalArgumentException {@code "<name> must not be null"} if it is null
   */
  public static <T> T notNull(T value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    return value;
  }

  /**
   * Returns {@code value} if it is neither null nor blank.
   *
   * @param value the argument
   * @param name its name, for the message
   * @return {@code value}
   * @throws IllegalArgumentException if it is null or blank
   */
  public static String notBlank(String value, String name) {
    notNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank, but is: \"" + value + "\"");
    }
    return value;
  }

  /**
   * Returns {@code values} if neither it nor any element is null.
   *
   * @param values the argument
   * @param name its name, for the message ({@code "texts[3] must not be null"})
   * @param <C> the collection's type
   * @return {@code values}
   * @throws IllegalArgumentException naming the first null element's index
   */
  public static <C extends Collection<?>> C noNulls(C values, String name) {
    notNull(values, name);
    int i = 0;
    for (Object v : values) {
      if (v == null) {
        throw new IllegalArgumentException(name + "[" + i + "] must not be null");
      }
      i++;
    }
    return values;
  }

  /**
   * Returns {@code value} if it is at least {@code min}.
   *
   * @param value the argument
   * @param min the smallest allowed value
   * @param name its name, for the message
   * @return {@code value}
   * @throws IllegalArgumentException {@code "<name> must be >= <min>, but is: <value>"}
   */
  public static int atLeast(int value, int min, String name) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + ", but is: " + value);
    }
    return value;
  }

  /**
   * Returns {@code value} if it is at least {@code min}.
   *
   * @param value the argument
   * @param min the smallest allowed value
   * @param name its name, for the message
   * @return {@code value}
   * @throws IllegalArgumentException {@code "<name> must be >= <min>, but is: <value>"}
   */
  public static long atLeast(long value, long min, String name) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + ", but is: " + value);
    }
    return value;
  }

  /**
   * Returns {@code value} if it is at least 1.
   *
   * @param value the argument
   * @param name its name, for the message
   * @return {@code value}
   * @throws IllegalArgumentException {@code "<name> must be >= 1, but is: <value>"}
   */
  public static int positive(int value, String name) {
    return atLeast(value, 1, name);
  }

  /**
   * Returns {@code value} if {@code min <= value <= max}.
   *
   * @param value the argument
   * @param min the smallest allowed value
   * @param max the largest allowed value
   * @param name its name, for the message
   * @return {@code value}
   * @throws IllegalArgumentException {@code "<name> must be in [min, max], but is: <value>"}
   */
  public static int inRange(int value, int min, int max, String name) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " must be in [" + min + ", " + max + "], but is: " + value);
    }
    return value;
  }

  /**
   * Returns {@code value} if it is finite and {@code min <= value <= max}.
   *
   * @param value the argument
   * @param min the smallest allowed value
   * @param max the largest allowed value
   * @param name its name, for the message
   * @return {@code value}
   * @throws IllegalArgumentException {@code "<name> must be in [min, max], but is: <value>"}
   */
  public static double inRange(double value, double min, double max, String name) {
    if (!(value >= min && value <= max)) {
      throw new IllegalArgumentException(
          name + " must be a finite number in [" + min + ", " + max + "], but is: " + value);
    }
    return value;
  }

  /**
   * Returns {@code value} if it is finite and greater than zero.
   *
   * @param value the argument
   * @param name its name, for the message
   * @return {@code value}
   * @throws IllegalArgumentException {@code "<name> must be a finite number > 0, but is: <value>"}
   */
  public static double positive(double value, String name) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be a finite number > 0, but is: " + value);
    }
    return value;
  }

  /**
   * Returns {@code values} as an immutable copy if neither it nor any element is null.
   *
   * @param values the argument
   * @param name its name, for the message
   * @param <T> the element type
   * @return an immutable copy
   * @throws IllegalArgumentException naming the first null element's index
   */
  public static <T> List<T> copyNoNulls(List<T> values, String name) {
    return List.copyOf(noNulls(values, name));
  }
}
