package dev.gecko4j.train.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The protobuf wire reader and writer: round trips, and malformed or truncated input. */
class WireTest {

  static Wire over(byte[] b) {
    return new Wire(b, 0, b.length);
  }

  static byte[] varint(long v) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Wire.writeVarint(out, v);
    return out.toByteArray();
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 127, 128, 300, 16_383, 16_384, Integer.MAX_VALUE, 1L << 35, Long.MAX_VALUE, -1, Long.MIN_VALUE})
  void should_read_back_every_varint_it_writes(long v) {
    byte[] b = varint(v);
    Wire w = over(b);

    assertThat(w.readVarint()).isEqualTo(v);
    assertThat(w.hasMore()).isFalse();
    assertThat(b.length).isEqualTo(v < 0 ? 10 : Math.max(1, (64 - Long.numberOfLeadingZeros(v) + 6) / 7));
  }

  @Test
  void should_encode_varints_as_the_protobuf_documentation_shows() {
    assertThat(varint(1)).containsExactly(0x01);
    assertThat(varint(150)).containsExactly(0x96, 0x01);
    assertThat(varint(300)).containsExactly(0xac, 0x02);
  }

  @Test
  void should_read_back_a_tag_and_a_length_delimited_string() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] text = "MatMul".getBytes(StandardCharsets.UTF_8);
    Wire.writeBytes(out, 4, text, 0, text.length);
    Wire.writeTag(out, 2, Wire.VARINT);
    Wire.writeVarint(out, 11);
    Wire w = over(out.toByteArray());

    assertThat(w.readTag()).isEqualTo(4 << 3 | Wire.LEN);
    assertThat(w.readString()).isEqualTo("MatMul");
    assertThat(w.readTag()).isEqualTo(2 << 3 | Wire.VARINT);
    assertThat(w.readVarint()).isEqualTo(11);
    assertThat(w.hasMore()).isFalse();
  }

  @Test
  void should_reject_a_truncated_varint_and_one_longer_than_ten_bytes() {
    assertThatThrownBy(() -> over(new byte[] {(byte) 0x80, (byte) 0x80}).readVarint())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("truncated varint at byte 2");
    byte[] eleven = new byte[11];
    java.util.Arrays.fill(eleven, (byte) 0xff);
    assertThatThrownBy(() -> over(eleven).readVarint())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed varint");
  }

  @Test
  void should_reject_a_length_prefix_of_two_gigabytes_without_allocating_it() {
    // given a LEN field that claims 2^31 bytes, followed by 3
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Wire.writeTag(out, 9, Wire.LEN);
    Wire.writeVarint(out, 1L << 31);
    out.write(new byte[3], 0, 3);
    Wire w = over(out.toByteArray());
    w.readTag();

    // when / then
    assertThatThrownBy(w::readLengthDelimited).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("length 2147483648 at byte 6 runs past the message end 9");
  }

  @Test
  void should_reject_a_negative_length_prefix() {
    byte[] b = varint(-5);
    assertThatThrownBy(() -> over(b).readLengthDelimited()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("length -5");
  }

  @Test
  void should_reject_fixed_width_values_cut_short() {
    assertThatThrownBy(() -> over(new byte[] {1, 2, 3}).readFixed32()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("truncated: 4 bytes needed at byte 0, but the message ends at 3");
    assertThatThrownBy(() -> over(new byte[7]).skip(Wire.FIXED64)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("8 bytes needed");
    assertThatThrownBy(() -> over(new byte[2]).skip(Wire.FIXED32)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4 bytes needed");
  }

  @Test
  void should_reject_field_number_zero_and_group_wire_types() {
    assertThatThrownBy(() -> over(new byte[] {0x02}).readTag()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid field number 0 at byte 0");
    assertThatThrownBy(() -> over(new byte[] {0x0b}).readTag()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unsupported wire type 3 at byte 0");
    assertThatThrownBy(() -> over(new byte[] {0x0e}).skip(6)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unsupported wire type 6");
  }

  @Test
  void should_read_a_span_inside_a_buffer_and_refuse_one_outside_it() {
    byte[] b = {0x7f, 0x05, 0x7f};
    Wire w = new Wire(b, 1, 2);
    assertThat(w.readVarint()).isEqualTo(5);
    assertThat(w.hasMore()).isFalse();
    assertThatThrownBy(() -> new Wire(b, 2, 4)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("span [2, 4) must lie within the 3 bytes");
  }
}
