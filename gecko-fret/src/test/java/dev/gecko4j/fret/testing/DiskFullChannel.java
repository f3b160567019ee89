package dev.gecko4j.fret.testing;

import dev.gecko4j.fret.internal.FileOpener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real {@link FileChannel} on a real file that behaves as a disk that fills up: writes succeed
 * until a shared byte budget is spent, the write that crosses it is partial (as {@code write(2)}
 * is on a full disk), and every later write fails with {@code IOException("No space left on
 * device")}. Reads, size, truncate and force go to the real channel (force can be made to fail).
 */
public final class DiskFullChannel extends FileChannel {

  private final FileChannel real;
  private final AtomicLong budget;
  private final boolean failForce;

  private DiskFullChannel(FileChannel real, AtomicLong budget, boolean failForce) {
    this.real = real;
    this.budget = budget;
    this.failForce = failForce;
  }

  /** An opener whose channels share {@code bytes} of free space. */
  public static FileOpener withFreeBytes(long bytes) {
    AtomicLong budget = new AtomicLong(bytes);
    return (Path file, OpenOption... options) ->
        new DiskFullChannel(FileChannel.open(file, options), budget, false);
  }

  /** An opener whose channels write, but fail {@link #force} as a failing device does. */
  public static FileOpener failingForce() {
    return (Path file, OpenOption... options) ->
        new DiskFullChannel(FileChannel.open(file, options), new AtomicLong(Long.MAX_VALUE), true);
  }

  private ByteBuffer allowed(ByteBuffer src) throws IOException {
    long left = budget.get();
    if (left <= 0) {
      throw new IOException("No space left on device");
    }
    int n = (int) Math.min(src.remaining(), left);
    budget.addAndGet(-n);
    ByteBuffer part = src.duplicate();
    part.limit(part.position() + n);
    return part;
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    return writeWithin(src, -1);
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    return writeWithin(src, position);
  }

  /** Writes what the budget allows of {@code src}, at {@code position} or (when negative) on. */
  private int writeWithin(ByteBuffer src, long position) throws IOException {
    ByteBuffer part = allowed(src);
    int n = position < 0 ? real.write(part) : real.write(part, position);
    src.position(src.position() + n);
    return n;
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    long n = 0;
    for (int i = offset; i < offset + length; i++) {
      n += write(srcs[i]);
    }
    return n;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    if (failForce) {
      throw new IOException("Input/output error");
    }
    real.force(metaData);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return real.read(dst);
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    return real.read(dsts, offset, length);
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    return real.read(dst, position);
  }

  @Override
  public long position() throws IOException {
    return real.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    real.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return real.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    real.truncate(size);
    return this;
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
    return real.transferTo(position, count, target);
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
    throw new IOException("transferFrom is not supported by this test channel");
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    return real.map(mode, position, size);
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return real.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return real.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    real.close();
  }
}
