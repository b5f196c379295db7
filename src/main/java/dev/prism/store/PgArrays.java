package dev.prism.store;

/** Vectors as PostgreSQL {@code real[]} values: the pg client takes and gives boxed arrays. */
public final class PgArrays {

    private PgArrays() {
    }

    public static Float[] boxed(float[] v) {
        Float[] out = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    public static float[] unboxed(Float[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
