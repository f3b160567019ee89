package dev.gecko4j.train.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal protobuf wire-format reader and writer over a byte array: just what ONNX's
 * {@code onnx.proto} messages need (varints, fixed32/64, length-delimited fields). Every read is
 * bounds-checked against the message end: malformed or truncated input gives an
 * {@link IllegalArgumentException} naming the byte offset, and a length prefix is checked against
 * the bytes that are there before anything is read or allocated.
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
    if (start < 0 || start > end || end > buf.length) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "span [%d, %d) must lie within the %d bytes", start, end, buf.length));
    }
    this.buf = buf;
    this.pos = start;
    this.limit = end;
  }

  boolean hasMore() {
    return pos < limit;
  }

  byte[] buffer() {
    return buf;
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

  /**
   * Reads a field key and checks it: a field number of at least 1 and a wire type this reader
   * knows (groups, types 3 and 4, are not used by ONNX).
   *
   * @return the key ({@code field << 3 | wireType})
   */
  long readTag() {
    int at = pos;
    long key = readVarint();
    long field = key >>> 3;
    int type = (int) (key & 7);
    if (field < 1 || field > 0x1fffffffL) {
      throw new IllegalArgumentException("invalid field number " + field + " at byte " + at);
    }
    if (type != VARINT && type != FIXED64 && type != LEN && type != FIXED32) {
      throw new IllegalArgumentException("unsupported wire type " + type + " at byte " + at);
    }
    return key;
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
    require(4);
    int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16
        | (buf[pos + 3] & 0xff) << 24;
    pos += 4;
    return v;
  }

  void skip(int wireType) {
    switch (wireType) {
      case VARINT -> readVarint();
      case FIXED64 -> {
        require(8);
        pos += 8;
      }
      case LEN -> readLengthDelimited();
      case FIXED32 -> {
        require(4);
        pos += 4;
      }
      default -> throw new IllegalArgumentException("unsupported wire type " + wireType + " at byte " + pos);
    }
  }

  private void require(int n) {
    if (limit - pos < n) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "truncated: %d bytes needed at byte %d, but the message ends at %d", n, pos, limit));
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
