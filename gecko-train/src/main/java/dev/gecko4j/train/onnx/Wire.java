package dev.gecko4j.train.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal protobuf wire-format reader and writer over a byte array: just what ONNX's
 * {@code onnx.proto} messages need (varints, fixed32/64, length-delimited fields).
 */
final class Wire {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LEN = 2;
  static final int FIXED32 = 5;

  private final byte[] buf;
  private int pos;
  private final int limit;

  Wire(byte[] buf, int start, int end) {
    this.buf = buf;
    this.pos = start;
    this.limit = end;
  }

  boolean hasMore() {
    return pos < limit;
  }

  int position() {
    return pos;
  }

  long readVarint() {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= limit) {
        throw new IllegalArgumentException("truncated varint at byte " + pos);
      }
      byte b = buf[pos++];
      result |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw new IllegalArgumentException("malformed varint at byte " + pos);
  }

  /** Reads a length prefix and returns {start, end} of the payload, advancing past it. */
  int[] readLengthDelimited() {
    long len = readVarint();
    if (len < 0 || pos + len > limit) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "length %d at byte %d runs past the message end %d", len, pos, limit));
    }
    int start = pos;
    pos += (int) len;
    return new int[] {start, pos};
  }

  String readString() {
    int[] span = readLengthDelimited();
    return new String(buf, span[0], span[1] - span[0], StandardCharsets.UTF_8);
  }

  int readFixed32() {
    int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16
        | (buf[pos + 3] & 0xff) << 24;
    pos += 4;
    return v;
  }

  void skip(int wireType) {
    switch (wireType) {
      case VARINT -> readVarint();
      case FIXED64 -> pos += 8;
      case LEN -> readLengthDelimited();
      case FIXED32 -> pos += 4;
      default -> throw new IllegalArgumentException("unsupported wire type " + wireType + " at byte " + pos);
    }
  }

  // ---- writing

  static void writeVarint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7fL) != 0) {
      out.write((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  static void writeTag(ByteArrayOutputStream out, int field, int wireType) {
    writeVarint(out, ((long) field << 3) | wireType);
  }

  static void writeBytes(ByteArrayOutputStream out, int field, byte[] data, int off, int len) {
    writeTag(out, field, LEN);
    writeVarint(out, len);
    out.write(data, off, len);
  }
}
