package dev.prism.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes immutable message records between verticles of one JVM by reference. Messages never leave the process on
 * the bus (Kafka and HTTP carry JSON), so the wire methods refuse.
 */
final class LocalRecordCodec<T> implements MessageCodec<T, T> {

    private final Class<T> type;

    LocalRecordCodec(Class<T> type) {
        this.type = type;
    }

    @Override
    public void encodeToWire(Buffer buffer, T t) {
        throw new IllegalStateException(type.getSimpleName() + " is a local message and cannot be sent over the wire");
    }

    @Override
    public T decodeFromWire(int pos, Buffer buffer) {
        throw new IllegalStateException(type.getSimpleName() + " is a local message and cannot be read from the wire");
    }

    @Override
    public T transform(T t) {
        return t;
    }

    @Override
    public String name() {
        return "local:" + type.getName();
    }

    @Override
    public byte systemCodecID() {
        return -1;
    }
}
