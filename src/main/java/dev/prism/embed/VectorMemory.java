package dev.prism.embed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the vectors of every {@link VectorIndex} of a process live: on the heap up to a byte budget, beyond it in a
 * memory-mapped scratch file whose pages the operating system keeps in RAM while there is room and writes out when
 * there is not. The heap therefore holds at most the budget however many summaries a deployment accumulates.
 *
 * <p>The file is a cache of the {@code embeddings} table, rebuilt at each start: it is unlinked as soon as it is
 * mapped, so nothing is left behind even after a crash. Appends are serialised here; reads of a slot need no lock once
 * its offset was handed out (indexes publish offsets under their own lock).
 */
public final class VectorMemory implements AutoCloseable {

    /** Mapped chunk size: a vector never straddles two chunks. */
    static final int CHUNK_BYTES = 64 << 20;

    private final long heapBudget;
    private final AtomicLong heapUsed = new AtomicLong();
    private final Path dir;
    private final List<MappedByteBuffer> chunks = new ArrayList<>();
    private volatile MappedByteBuffer[] readable = new MappedByteBuffer[0];
    private FileChannel channel;
    private int chunkUsed;
    private long mappedBytes;

    /** @param dir where the scratch file goes once the budget is reached */
    public VectorMemory(long heapBudgetBytes, Path dir) {
        this.heapBudget = heapBudgetBytes;
        this.dir = dir;
    }

    /** Everything on the heap (tests, small tools). */
    public static VectorMemory unbounded() {
        return new VectorMemory(Long.MAX_VALUE, null);
    }

    static long heapBytes(float[] v) {
        return 16L + 4L * v.length;
    }

    /** Reserves heap for {@code v}; false when that would exceed the budget (then {@link #append} it instead). */
    boolean reserveHeap(float[] v) {
        long need = heapBytes(v);
        while (true) {
            long used = heapUsed.get();
            if (used + need > heapBudget) {
                return false;
            }
            if (heapUsed.compareAndSet(used, used + need)) {
                return true;
            }
        }
    }

    void releaseHeap(float[] v) {
        heapUsed.addAndGet(-heapBytes(v));
    }

    /** Copies {@code v} into the mapped file. @return its offset: chunk index in the high 32 bits, byte position below */
    synchronized long append(float[] v) {
        int bytes = 4 * v.length;
        if (bytes > CHUNK_BYTES) {
            throw new IllegalArgumentException("vector of " + v.length + " dimensions does not fit a chunk");
        }
        try {
            if (chunks.isEmpty() || chunkUsed + bytes > CHUNK_BYTES) {
                newChunk();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not map vector memory in " + dir, e);
        }
        int chunk = chunks.size() - 1;
        MappedByteBuffer buffer = chunks.get(chunk);
        int at = chunkUsed;
        for (int i = 0; i < v.length; i++) {
            buffer.putFloat(at + 4 * i, v[i]);
        }
        chunkUsed += bytes;
        return ((long) chunk << 32) | at;
    }

    private void newChunk() throws IOException {
        if (channel == null) {
            Path file = Files.createTempFile(dir == null ? Path.of(System.getProperty("java.io.tmpdir")) : dir, "prism-vectors", ".f32");
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            // The mapping keeps the data reachable; the name is not needed, and without it a crash leaves nothing.
            Files.deleteIfExists(file);
        }
        MappedByteBuffer chunk = channel.map(FileChannel.MapMode.READ_WRITE, (long) chunks.size() * CHUNK_BYTES, CHUNK_BYTES);
        chunk.order(ByteOrder.nativeOrder());
        chunks.add(chunk);
        readable = chunks.toArray(MappedByteBuffer[]::new);
        chunkUsed = 0;
        mappedBytes += CHUNK_BYTES;
    }

    double dot(long offset, float[] query) {
        MappedByteBuffer buffer = readable[(int) (offset >>> 32)];
        int at = (int) offset;
        // The same accumulation order as VectorMath.dot: a vector scores the same wherever it lives.
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        int n = query.length - 3;
        for (; i < n; i += 4) {
            int p = at + 4 * i;
            s0 += query[i] * buffer.getFloat(p);
            s1 += query[i + 1] * buffer.getFloat(p + 4);
            s2 += query[i + 2] * buffer.getFloat(p + 8);
            s3 += query[i + 3] * buffer.getFloat(p + 12);
        }
        for (; i < query.length; i++) {
            s0 += query[i] * buffer.getFloat(at + 4 * i);
        }
        return (s0 + s1) + (s2 + s3);
    }

    float[] read(long offset, int dimensions) {
        MappedByteBuffer buffer = readable[(int) (offset >>> 32)];
        int at = (int) offset;
        float[] v = new float[dimensions];
        for (int i = 0; i < dimensions; i++) {
            v[i] = buffer.getFloat(at + 4 * i);
        }
        return v;
    }

    public long heapUsedBytes() {
        return heapUsed.get();
    }

    public synchronized long mappedBytes() {
        return mappedBytes;
    }

    /** Unmaps lazily (the buffers go with the last reference) and closes the scratch file. */
    @Override
    public synchronized void close() {
        chunks.clear();
        readable = new MappedByteBuffer[0];
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // a scratch file already unlinked: nothing to lose
            }
            channel = null;
        }
    }
}
