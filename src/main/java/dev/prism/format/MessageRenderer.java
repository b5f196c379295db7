package dev.prism.format;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.format.Message.Media;
import dev.prism.format.Message.Note;
import dev.prism.format.Message.Part;
import dev.prism.format.Message.Reasoning;
import dev.prism.format.Message.Refusal;
import dev.prism.format.Message.Text;
import dev.prism.format.Message.ToolCall;
import dev.prism.format.Message.ToolResult;
import dev.prism.format.Message.Value;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints a conversation: one {@code [role]} line per message with its parts hanging beneath, tool calls as
 * {@code tool call: name(arg=value)}, results as {@code name returned: …} (the name found from the call when the
 * result carries only an id).
 *
 * <p>A history already printed earlier in the trace is folded into one line: agents resend every earlier message
 * with each call, which would otherwise repeat a conversation once per step.
 */
final class MessageRenderer {

    /** A repeated history shorter than this is printed again: folding it would save little and read worse. */
    private static final int MIN_FOLD_CHARS = 200;

    private final RenderContext ctx;
    private final TextOut scratch = new TextOut(new StringBuilder(512));
    /** Calls of the conversation being rendered not answered yet, to name results that carry neither id nor name. */
    private final ArrayDeque<ToolCall> unanswered = new ArrayDeque<>();
    private char[] chars = new char[256];

    MessageRenderer(RenderContext ctx) {
        this.ctx = ctx;
    }

    /** How much of a conversation already printed in this trace may be folded. */
    enum Fold {
        /** Print every message: a generation's output. */
        NONE,
        /** Fold the leading messages already shown: an input, which resends the history. */
        SHOWN,
        /** Fold the leading messages already shown but the last: an output state, whose last message is its answer. */
        SHOWN_BUT_LAST
    }

    /** Writes the messages, folding the leading ones already printed in this trace as {@code fold} allows. */
    void conversation(TextOut out, List<Message> messages, Fold fold) {
        for (Message m : messages) {
            for (Part p : m.parts()) {
                if (p instanceof ToolCall c && c.id() != null && c.name() != null) {
                    ctx.toolNames.putIfAbsent(c.id(), c.name());
                }
            }
        }
        // Every message is rendered once into one buffer; hashes of the renderings decide what to fold.
        int n = messages.size();
        StringBuilder buf = scratch.buffer();
        buf.setLength(0);
        int[] bounds = new int[n + 1];
        long[] hashes = new long[n];
        unanswered.clear();
        for (int i = 0; i < n; i++) {
            bounds[i] = buf.length();
            render(messages.get(i));
            hashes[i] = hash(buf, bounds[i], buf.length());
        }
        bounds[n] = buf.length();
        unanswered.clear();
        int skip = 0;
        if (fold != Fold.NONE) {
            int foldable = fold == Fold.SHOWN ? n : n - 1;
            while (skip < foldable && ctx.shownMessages.contains(hashes[skip])) {
                skip++;
            }
            if (bounds[skip] - bounds[0] < MIN_FOLD_CHARS) {
                skip = 0;
            }
        }
        if (skip > 0) {
            out.line("(" + (skip == n && n > 1 ? "all " : "") + skip + (skip == 1 ? " earlier message" : " earlier messages")
                    + ", already shown above)");
        }
        if (bounds[skip] < bounds[n]) {
            out.cleanLines(buf, bounds[skip], bounds[n]);
        }
        for (long h : hashes) {
            ctx.shownMessages.add(h);
        }
        if (buf.capacity() > 1 << 20) {
            scratch.buffer().setLength(0);
            scratch.buffer().trimToSize(); // one huge conversation should not pin its buffer for the rest of the trace
        }
    }

    /** One message as lines starting at column 0, appended to the scratch buffer. */
    private void render(Message m) {
        TextOut out = scratch;
        out.indent("");
        String label = label(m);
        boolean first = true;
        for (Part p : m.parts()) {
            if (isEmpty(p)) {
                continue;
            }
            if (first) {
                part(out, label + " ", p);
                out.indent("  ");
                first = false;
            } else {
                part(out, "", p);
            }
        }
        if (first) {
            out.line(label + " (no content)");
        }
        out.indent("");
    }

    /** FNV-1a over the characters: 64 bits make a false "already shown" practically impossible. */
    private long hash(StringBuilder s, int from, int to) {
        int n = to - from;
        if (chars.length < n) {
            chars = new char[Math.max(n, chars.length * 2)];
        }
        s.getChars(from, to, chars, 0); // one bulk copy, then a plain array loop
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < n; i++) {
            h ^= chars[i];
            h *= 0x100000001b3L;
        }
        return h;
    }

    private void part(TextOut out, String lead, Part p) {
        if (p instanceof Text t) {
            ValueText.write(out, lead, null, trimBlankLines(t.text()), ValueText.TEXT_LIMIT);
        } else if (p instanceof Reasoning r) {
            String hidden = r.hidden() == null ? "" : (r.text() == null ? "" : " ") + r.hidden();
            String text = r.text() == null ? "" : ValueText.clean(r.text(), ValueText.TEXT_LIMIT);
            out.hanging(lead + "[reasoning] ", text + hidden, "  ");
        } else if (p instanceof Refusal r) {
            out.hanging(lead + "refusal: ", ValueText.clean(r.text(), ValueText.TEXT_LIMIT), "  ");
        } else if (p instanceof ToolCall c) {
            unanswered.add(c);
            out.line(lead + "tool call: " + ToolRenderer.call(c.name(), c.arguments()));
        } else if (p instanceof ToolResult r) {
            String name = resultName(r);
            String head = lead + (name == null ? (r.error() ? "error result: " : "result: ")
                    : name + (r.error() ? " returned an error: " : " returned: "));
            JsonNode content = r.content();
            String blocks = blockText(content);
            if (blocks != null) {
                ValueText.write(out, head, null, blocks, ValueText.TEXT_LIMIT);
            } else if (ValueText.isBlank(content)) {
                out.line(head + "(nothing)");
            } else {
                ValueText.write(out, head, null, content, ValueText.TEXT_LIMIT, 0);
            }
        } else if (p instanceof Media media) {
            out.line(lead + media.placeholder());
        } else if (p instanceof Value v) {
            ValueText.write(out, lead, null, v.value(), ValueText.VALUE_LIMIT, 0);
        } else if (p instanceof Note note) {
            out.hanging(lead, ValueText.clean(note.text(), ValueText.TEXT_LIMIT), "  ");
        }
    }

    /** The tool that answered: named by the result, by its call id, or else the oldest call still unanswered. */
    private String resultName(ToolResult r) {
        if (r.id() != null) {
            unanswered.removeIf(c -> r.id().equals(c.id()));
        }
        if (r.name() != null) {
            return r.name();
        }
        String byId = r.id() == null ? null : ctx.toolNames.get(r.id());
        if (byId != null) {
            return byId;
        }
        ToolCall oldest = r.id() == null ? unanswered.poll() : null;
        return oldest == null ? null : oldest.name();
    }

    /** {@code [user]}, {@code [assistant: researcher]}. */
    static String label(Message m) {
        String role = m.role() == null ? "user" : m.role();
        String name = m.name();
        if (name != null && !name.isBlank() && !name.equalsIgnoreCase(role)) {
            return "[" + role + ": " + (name.length() > 60 ? name.substring(0, 60) + "…" : name) + "]";
        }
        return "[" + role + "]";
    }

    /**
     * The text of a tool result given as content blocks (Anthropic's list of text blocks, MCP content), with media
     * blocks as placeholders; null when the content is not such a list.
     */
    private static String blockText(JsonNode content) {
        if (content == null || !content.isArray() || content.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode block : content) {
            if (block == null || !block.isObject() || !block.has("type")) {
                return null;
            }
            String type = block.get("type").asText();
            String piece;
            if (type.equals("text") || type.equals("input_text") || type.equals("output_text")) {
                JsonNode t = block.has("text") ? block.get("text") : block.get("content");
                piece = t == null || !t.isTextual() ? "" : t.textValue();
            } else {
                List<Part> parts = new ArrayList<>(1);
                Parts.of(block, parts, 1);
                if (parts.size() != 1 || !(parts.get(0) instanceof Media m)) {
                    return null;
                }
                piece = m.placeholder();
            }
            sb.append(sb.length() > 0 ? "\n" : "").append(piece);
        }
        return sb.toString();
    }

    /** The text without leading blank lines and trailing whitespace; the first line's indentation is kept. */
    static String trimBlankLines(String s) {
        int first = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                first = i + 1;
            } else if (!Character.isWhitespace(c)) {
                break;
            }
        }
        int end = n;
        while (end > first && Character.isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        return first == 0 && end == n ? s : s.substring(first, end);
    }

    private static boolean isEmpty(Part p) {
        return p instanceof Text t && (t.text() == null || t.text().isBlank())
                || p instanceof Reasoning r && (r.text() == null || r.text().isBlank()) && r.hidden() == null
                || p instanceof Refusal r && (r.text() == null || r.text().isBlank());
    }
}
