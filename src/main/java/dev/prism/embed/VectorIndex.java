package dev.prism.embed;

import dev.prism.common.VectorMath;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The vectors of one theme namespace: one per trace (its latest version), searched exhaustively by cosine
 * similarity. Vectors are expected L2-normalised, so cosine is a dot product. Each vector lives on the heap while the
 * shared {@link VectorMemory} budget allows, else in its memory-mapped pages. Safe for one writer and concurrent
 * readers: the verticle adds on its event loop while searches run on worker threads. Heap arrays are never written
 * after {@link #add}, so snapshots share them; mapped vectors are copied out.
 */
public final class VectorIndex {

    public enum Outcome { ADDED, REPLACED, IGNORED }

    /** @param score cosine similarity */
    public record Neighbour(String traceId, int traceVersion, double score) {
    }

    public record Entry(String traceId, int traceVersion, float[] vector) {
    }

    private final int dimensions;
    private final VectorMemory memory;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, Integer> slots = new HashMap<>();
    private String[] traceIds = new String[16];
    private int[] versions = new int[16];
    private String[] hashes = new String[16];
    /** The vector on the heap, or null when it is in {@link #memory} at {@link #offsets}. */
    private float[][] vectors = new float[16][];
    private long[] offsets = new long[16];
    private int size;

    /** Every vector on the heap. */
    public VectorIndex(int dimensions) {
        this(dimensions, VectorMemory.unbounded());
    }

    public VectorIndex(int dimensions, VectorMemory memory) {
        if (dimensions < 1) {
            throw new IllegalArgumentException("dimensions must be positive, got " + dimensions);
        }
        this.dimensions = dimensions;
        this.memory = memory;
    }

    /** Puts the vector in slot {@code slot}: on the heap within the budget, else in the mapped pages. */
    private void place(int slot, float[] vector) {
        if (memory.reserveHeap(vector)) {
            vectors[slot] = vector;
        } else {
            vectors[slot] = null;
            offsets[slot] = memory.append(vector);
        }
    }

    private float[] vectorAt(int slot) {
        float[] v = vectors[slot];
        return v != null ? v : memory.read(offsets[slot], dimensions);
    }

    public int dimensions() {
        return dimensions;
    }

    public int size() {
        lock.readLock().lock();
        try {
            return size;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Keeps {@code vector} as the trace's vector unless the index already holds a later version of the trace, or this
     * very version with the same text.
     */
    public Outcome add(String traceId, int traceVersion, String textHash, float[] vector) {
        if (vector.length != dimensions) {
            throw new IllegalArgumentException("expected " + dimensions + " dimensions, got " + vector.length);
        }
        lock.writeLock().lock();
        try {
            Integer slot = slots.get(traceId);
            if (slot != null) {
                if (versions[slot] > traceVersion || versions[slot] == traceVersion && hashes[slot].equals(textHash)) {
                    return Outcome.IGNORED;
                }
                versions[slot] = traceVersion;
                hashes[slot] = textHash;
                if (vectors[slot] != null) {
                    memory.releaseHeap(vectors[slot]);
                }
                place(slot, vector);
                return Outcome.REPLACED;
            }
            if (size == traceIds.length) {
                int grown = size * 2;
                traceIds = Arrays.copyOf(traceIds, grown);
                versions = Arrays.copyOf(versions, grown);
                hashes = Arrays.copyOf(hashes, grown);
                vectors = Arrays.copyOf(vectors, grown);
                offsets = Arrays.copyOf(offsets, grown);
            }
            traceIds[size] = traceId;
            versions[size] = traceVersion;
            hashes[size] = textHash;
            place(size, vector);
            slots.put(traceId, size++);
            return Outcome.ADDED;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Removes the trace's vector if it is of a version before {@code version} (a later version that counts has none):
     * the last slot moves into its place. Mapped pages are not reclaimed.
     *
     * @return whether a vector was removed
     */
    public boolean removeBefore(String traceId, int version) {
        lock.writeLock().lock();
        try {
            Integer slot = slots.get(traceId);
            if (slot == null || versions[slot] >= version) {
                return false;
            }
            if (vectors[slot] != null) {
                memory.releaseHeap(vectors[slot]);
            }
            int last = --size;
            slots.remove(traceId);
            if (slot != last) {
                traceIds[slot] = traceIds[last];
                versions[slot] = versions[last];
                hashes[slot] = hashes[last];
                vectors[slot] = vectors[last];
                offsets[slot] = offsets[last];
                slots.put(traceIds[slot], slot);
            }
            traceIds[last] = null;
            hashes[last] = null;
            vectors[last] = null;
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Whether this trace version with this text (or a later version) is already here: nothing to embed again. */
    public boolean holds(String traceId, int traceVersion, String textHash) {
        lock.readLock().lock();
        try {
            Integer slot = slots.get(traceId);
            return slot != null && (versions[slot] > traceVersion || versions[slot] == traceVersion && hashes[slot].equals(textHash));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The {@code k} nearest vectors to {@code query} (normalised), best first. CPU-bound: O(size × dimensions). */
    public List<Neighbour> nearest(float[] query, int k) {
        if (query.length != dimensions) {
            throw new IllegalArgumentException("expected " + dimensions + " dimensions, got " + query.length);
        }
        lock.readLock().lock();
        try {
            int keep = Math.min(k, size);
            if (keep <= 0) {
                return List.of();
            }
            // A min-heap of the best so far: the root is the one to evict.
            PriorityQueue<Neighbour> best = new PriorityQueue<>(keep + 1, (a, b) -> Double.compare(a.score(), b.score()));
            for (int i = 0; i < size; i++) {
                double score = vectors[i] != null ? VectorMath.dot(query, vectors[i]) : memory.dot(offsets[i], query);
                if (best.size() < keep) {
                    best.add(new Neighbour(traceIds[i], versions[i], score));
                } else if (score > best.peek().score()) {
                    best.poll();
                    best.add(new Neighbour(traceIds[i], versions[i], score));
                }
            }
            List<Neighbour> out = new ArrayList<>(best);
            out.sort((a, b) -> Double.compare(b.score(), a.score()));
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Every trace's vector, in insertion order; heap arrays are shared, mapped ones copied, the list is not. */
    public List<Entry> snapshot() {
        lock.readLock().lock();
        try {
            List<Entry> out = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                out.add(new Entry(traceIds[i], versions[i], vectorAt(i)));
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }
}
