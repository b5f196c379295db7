package dev.prism.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive OS lock on {@code <dataDir>/prism.lock}, held for as long as this Prism uses the data directory.
 * The kernel releases it when the process ends however it ends (also {@code kill -9}), so a stale lock file never
 * blocks a start, while a second live Prism on the same directory is refused at once instead of fighting over
 * (and possibly stopping) the first one's PostgreSQL.
 */
public final class DataDirectoryLock implements AutoCloseable {

    static final String FILE_NAME = "prism.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws DataDirectoryInUseException when another process (or another server in this JVM) holds the lock */
    public static DataDirectoryLock acquire(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        FileChannel channel = null;
        try {
            Files.createDirectories(dataDir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by another server in this same JVM
            }
            if (lock == null) {
                String holder = readHolder(channel);
                channel.close();
                throw new DataDirectoryInUseException("Another Prism" + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                        + " is already using the data directory " + dataDir.toAbsolutePath()
                        + "; stop it first, or give this one its own directory (PRISM_DATA_DIR)");
            }
            // Who holds it, for the message above; the lock itself, not this content, is what counts.
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
            return new DataDirectoryLock(channel, lock);
        } catch (IOException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
            throw new UncheckedIOException("Cannot lock the data directory " + dataDir.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    private static String readHolder(FileChannel channel) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(32);
            channel.read(buf, 0);
            return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A second Prism on a data directory already in use: a configuration mistake, reported as such. */
    public static final class DataDirectoryInUseException extends IllegalStateException {
        DataDirectoryInUseException(String message) {
            super(message);
        }
    }
}
