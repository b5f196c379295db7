package dev.prism.format;

/**
 * Number formatting for the rendered text. Hand-written instead of {@link String#format} because a large trace formats
 * thousands of latencies and costs, and {@code String.format} costs about a microsecond a call.
 */
final class Fmt {

    private Fmt() {
    }

    /** 1234567 → "1,234,567". */
    static String count(long n) {
        String digits = Long.toString(Math.abs(n));
        StringBuilder sb = new StringBuilder(digits.length() + 8);
        if (n < 0) {
            sb.append('-');
        }
        int first = digits.length() % 3 == 0 ? 3 : digits.length() % 3;
        sb.append(digits, 0, first);
        for (int i = first; i < digits.length(); i += 3) {
            sb.append(',').append(digits, i, i + 3);
        }
        return sb.toString();
    }

    /** Seconds with precision that shrinks as the value grows: "0.31 s", "41.7 s", "312 s". */
    static String seconds(double s) {
        if (!Double.isFinite(s)) {
            return "?";
        }
        int decimals = s < 10 ? 2 : s < 100 ? 1 : 0;
        return fixed(s, decimals) + " s";
    }

    /** US dollars with enough decimals to show sub-cent generation costs: "$0.8685", "$0.000061". */
    static String usd(double c) {
        if (!Double.isFinite(c)) {
            return "$?";
        }
        if (c == 0) {
            return "$0";
        }
        if (Math.abs(c) < 0.000001) {
            return "$<0.000001";
        }
        return "$" + fixed(c, Math.abs(c) >= 0.01 ? 4 : 6);
    }

    /** A byte size: "512 B", "4.5 KB", "48 KB", "1.2 MB". */
    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        double kb = b / 1024.0;
        if (kb < 1024) {
            return fixed(kb, kb < 10 ? 1 : 0) + " KB";
        }
        double mb = kb / 1024.0;
        return fixed(mb, mb < 10 ? 1 : 0) + " MB";
    }

    /** {@code v} rounded to {@code decimals} places, without exponent notation. */
    static String fixed(double v, int decimals) {
        if (!Double.isFinite(v)) {
            return "?";
        }
        long scale = 1;
        for (int i = 0; i < decimals; i++) {
            scale *= 10;
        }
        double scaled = Math.abs(v) * scale;
        if (scaled >= Long.MAX_VALUE / 2.0) {
            return java.math.BigDecimal.valueOf(v).toPlainString();
        }
        long r = Math.round(scaled);
        StringBuilder sb = new StringBuilder(24);
        if (v < 0 && r != 0) {
            sb.append('-');
        }
        sb.append(r / scale);
        if (decimals > 0) {
            String frac = Long.toString(r % scale);
            sb.append('.');
            for (int i = frac.length(); i < decimals; i++) {
                sb.append('0');
            }
            sb.append(frac);
        }
        return sb.toString();
    }
}
