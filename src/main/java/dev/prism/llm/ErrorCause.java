package dev.prism.llm;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The underlying cause of a trace's failure, named in plain words whatever SDK, language, exception class or wording
 * reported it: an OpenAI {@code RateLimitError}, an Anthropic {@code rate_limit_error}, a Gemini
 * {@code RESOURCE_EXHAUSTED} and a LangChain wrapper around any of them are all "Provider rate limit (429)". It reads
 * everything a failed event says (HTTP status, exception class, provider error type and code, gRPC status name,
 * message), tries the causes from the most telling to the least, and, when a trace failed in several places, keeps the
 * root cause: the most specific one, the earliest among equals, so that a wrapper that only repeats (or hides) the
 * cause of the failure beneath it never names the trace's problem. Whether a later call recovered is not part of the
 * cause: it belongs to the summary and the severity, so recovered and unrecovered failures of one kind cluster
 * together. Pure.
 */
public final class ErrorCause {

    public static final String RATE_LIMIT = "Provider rate limit (429)";
    public static final String QUOTA = "Quota or billing limit reached";
    /**
     * Expired tokens and rejected keys are one title: to the people who read clusters both are "the credentials stopped
     * working" (an SDK's AuthenticationError is either), and the summary says which.
     */
    public static final String EXPIRED_CREDENTIALS = "Expired or invalid credentials";
    public static final String BAD_API_KEY = EXPIRED_CREDENTIALS;
    public static final String PERMISSION = "Permission denied";
    public static final String CONTEXT_WINDOW = "Context window exceeded";
    public static final String TIMEOUT = "Request timed out";
    public static final String SERVER_ERROR = "Provider server error (5xx)";
    /** An overloaded provider (529, "overloaded_error") is a server-side failure like any 5xx; the summary says overloaded. */
    public static final String OVERLOADED = SERVER_ERROR;
    public static final String NETWORK = "Network connection failed";
    public static final String MODEL_NOT_FOUND = "Model not found";
    public static final String INVALID_REQUEST = "Invalid request to the provider";
    public static final String TOOL_ARGUMENTS = "Tool called with invalid arguments";
    public static final String TOOL_FAILED = "Tool failed: ";
    public static final String UNPARSEABLE_OUTPUT = "Model output could not be parsed";
    public static final String CUT_OFF = "Output cut off at the token limit";
    public static final String CONTENT_FILTER = "Blocked by content filter";
    public static final String CODE_BUG = "Bug in application code";
    public static final String UNCLASSIFIED = "Unclassified failure";

    /**
     * One failed event.
     *
     * @param kind     {@code generation}, {@code embedding}, {@code span} (a leaf span: a tool), {@code chain} (a span
     *                 with children), {@code trace} or another event kind
     * @param step     the span's name (the tool, the chain, the node), or null
     * @param model    {@code $ai_model}, or null
     * @param provider {@code $ai_provider}, or null
     * @param status   {@code $ai_http_status} when it is an error status, else null (a status in the text is found here)
     * @param error    everything the event says about its error ({@code $ai_error} as text or JSON, its stack), not null
     */
    public record Failure(String kind, String step, String model, String provider, Integer status, String error) {
        boolean toolStep() {
            return "span".equals(kind) && model == null;
        }

        boolean wrapper() {
            return "chain".equals(kind) || "trace".equals(kind);
        }
    }

    /**
     * A failure's cause.
     *
     * @param title     the cause in plain words: the same for every SDK, language and wording
     * @param component the failing tool when the cause is the tool's own failure (two tools down are two problems); null
     *                  for the causes that are one problem whichever tool showed them (a timeout, arguments the model
     *                  got wrong)
     * @param failure   the failure it was read from
     * @param status    the HTTP status, given or found in the text, or null
     * @param gist      the error's message, short, for the summary
     */
    public record Cause(String title, String component, Failure failure, Integer status, String gist) {
    }

    /** How telling a cause is: a wrapper's vaguer cause never hides a more specific one found elsewhere in the trace. */
    private static final int VAGUE = 0;
    private static final int GENERIC = 1;
    private static final int LIKELY = 2;
    private static final int SPECIFIC = 3;

    private static final int CLASSIFIED_CHARS = 8_000;
    private static final Pattern STATUS_AFTER_WORD = Pattern.compile(
            "(?i)(?:error code|status code|status_code|statuscode|http_status|\"status\"|'status'|status|http/\\d(?:\\.\\d)?|http|code|error)"
                    + "[\\s:='\"\\[(]{0,4}([45]\\d\\d)(?![\\d.])");
    private static final Pattern STATUS_BEFORE_REASON = Pattern.compile(
            "(?i)(?<![\\d.])([45]\\d\\d)[\\s:-]{1,3}(?:too many requests|internal server error|bad gateway|service unavailable|gateway timeout"
                    + "|bad request|unauthori[sz]ed|forbidden|not found|request timeout|payload too large|request entity too large"
                    + "|unprocessable|overloaded|deadline_exceeded|resource_exhausted|unavailable|internal|permission_denied"
                    + "|unauthenticated|invalid_argument|not_found)");
    /** An exception's message that starts with a status ("InvalidArgument: 400 Request contains …", google-api-core's form). */
    private static final Pattern STATUS_OPENING_MESSAGE = Pattern.compile("\\w: ([45]\\d\\d):? \\p{Lu}");
    private static final Pattern EXCEPTION_CLASS = Pattern.compile("\\b([A-Z][A-Za-z0-9]*(?:Error|Exception|Exceeded|Failure|Fault))\\b");

    private static final Pattern CONTENT_FILTER_WORDS = Pattern.compile("content[_ ]?filter|content management policy|content policy"
            + "|responsibleaipolicyviolation|usage polic|safety (?:settings|filter|system|reasons)|blocked (?:due to|because of|by) (?:safety|the safety|content|moderation)"
            + "|finish_?reason[\"':= ]*safety|prohibited_content|blockedreason|block_reason|flagged (?:as|by|for)|moderation|harm_category"
            + "|recitation|\\bsafety\\b.*\\bblocked|\\bblocked\\b.*\\bsafety\\b|invalid_prompt|violat\\w* (?:our|the) (?:policy|policies|terms)");
    private static final Pattern CUT_OFF_WORDS = Pattern.compile("finish_?reason[\"':= ]*(?:length|max_tokens)|stop_?reason[\"':= ]*max_tokens"
            + "|finishreason[\"':.= ]*max_tokens|\\bmax_tokens\\b[^.]{0,40}(?:reached|hit|stop)|length limit was reached|lengthfinishreason"
            + "|max_output_tokens|output (?:was )?(?:truncated|cut off)|response (?:was )?(?:truncated|cut off)|truncated (?:output|response|json|completion)"
            + "|(?:reached|hit|exceeded) the (?:maximum )?(?:output )?token limit|incomplete.{0,30}max_(?:output_)?tokens|unterminated string"
            + "|unexpected end of (?:json|input|data)|eof while parsing");
    private static final Pattern CONTEXT_WORDS = Pattern.compile("context[_ ]length|context[_ ]window|maximum context|prompt is too long"
            + "|input (?:token count|is too long|too long)|too many (?:input )?tokens|exceeds the (?:maximum|max)[^.]{0,40}tokens"
            + "|tokens? (?:exceeds?|exceeded|greater than|more than)[^.]{0,40}(?:limit|maximum|allowed)|reduce the length of the (?:messages|prompt|input)"
            + "|contextwindowexceeded|string_above_max_length|request (?:payload )?(?:is )?too large(?![^.]{0,80}per min)|prompt tokens? (?:limit|exceed)"
            + "|maximum (?:number of )?(?:input )?tokens");
    private static final Pattern QUOTA_WORDS = Pattern.compile("insufficient_quota|exceeded your (?:current )?quota|check your (?:plan and )?billing|billing (?:details|hard limit|account|limit|issue|is not|not enabled|required|must be enabled|has not been enabled)|credit balance"
            + "|out of credits|no credits|payment required|spend(?:ing)? limit|budget (?:exceeded|limit)|plan limit|usage limit|hard limit"
            + "|quota[^.]{0,60}per (?:day|month)|per[ _-]?day|daily (?:quota|limit)|monthly (?:quota|limit)"
            + "|free tier|trial (?:has )?(?:expired|ended)|subscription (?:has )?(?:expired|lapsed)|insufficient (?:funds|balance|credits)|account (?:is )?(?:suspended|deactivated|not active)");
    /** "Quota exceeded" alone: a quota per minute or second is a rate limit, any other a quota. */
    private static final Pattern QUOTA_EXCEEDED = Pattern.compile("quota (?:has been )?exceeded|exceeded[^.]{0,30}quota|quota (?:limit )?reached");
    private static final Pattern SHORT_WINDOW = Pattern.compile("per[ _-]?(?:minute|second|min\\b|sec\\b)|\\b[rt]pm\\b|requests?[ _-]per|concurrent");
    private static final Pattern RATE_WORDS = Pattern.compile("rate[_ -]?limit|too many requests|ratelimit|throttl|requests per (?:min|sec)"
            + "|tokens per min|\\b[rt]pm\\b|per[ _-]?minute|resource_exhausted|resources? (?:has been |have been )?exhausted|slow ?down|request limit|try again in \\d");
    private static final Pattern EXPIRED_WORDS = Pattern.compile("expired|refresherror|invalid_grant|invalidgranterror|token has been revoked"
            + "|expired or revoked|reauthenticat|re-authenticat|session (?:has )?ended|tokenexpired|expiredtoken|credentials? (?:have|has) expired"
            + "|no longer valid|token is not active|refresh token|needs? to (?:re-?)?login|login required");
    private static final Pattern API_KEY_WORDS = Pattern.compile("api[_ -]?key|x-api-key|incorrect api key|invalid_api_key|authentication_error"
            + "|authenticationerror|unauthenticated|unauthori[sz]ed|invalid (?:authentication|credentials|auth|bearer|token|access token)"
            + "|could not resolve authentication|missing (?:credentials|authentication|bearer|authorization)|no (?:auth|credentials)"
            + "|defaultcredentialserror|could not (?:automatically )?(?:determine|load|find) credentials|credentials (?:not found|missing)"
            + "|authentication (?:failed|required|credentials)|invalid authorization|not authenticated|api_key_invalid|bad credentials");
    /** Wordings that leave no doubt the key itself is wrong or absent, whatever else the message says. */
    private static final Pattern BAD_KEY_WORDS = Pattern.compile("incorrect api key|invalid api[_ -]?key|invalid_api_key|api[_ -]?key not valid"
            + "|api_key_invalid|invalid x-api-key|(?:no|missing) api[_ -]?key|api[_ -]?key (?:is )?(?:missing|required|not set|not found|not provided|must be set)"
            + "|api_key client option must be set|could not resolve authentication method|environment variable (?:is )?(?:not set|missing)"
            + "|api key (?:was )?(?:revoked|disabled|deleted)");
    private static final Pattern PERMISSION_WORDS = Pattern.compile("permission|forbidden|access denied|accessdenied|not authori[sz]ed to"
            + "|not allowed|does not have access|doesn't have access|do not have access|insufficient (?:scope|privileges|permissions)"
            + "|unsupported_country|region is not supported|not available in your (?:country|region)|organization (?:must be|is not) verified");
    private static final Pattern MODEL_NOT_FOUND_WORDS = Pattern.compile("model_not_found|model[^.]{0,80}(?:does not exist|not found|is not supported|not supported|unknown|is not available|decommissioned|deprecated)"
            + "|(?:unknown|invalid|unsupported|no such) model|deploymentnotfound|deployment[^.]{0,40}(?:not found|does not exist)"
            + "|models/[^ ]+ is not found|not_found_error[^.]{0,40}model|\"model: |'model: |model: [a-z0-9.-]+['\"]|model_not_available");
    private static final Pattern OVERLOADED_WORDS = Pattern.compile("overload|over capacity|at capacity|capacity (?:limit|issues)|server is busy"
            + "|servers are busy|high demand|experiencing (?:high|heavy) (?:load|traffic)|engine is currently|\\b529\\b|temporarily unable to serve");
    private static final Pattern TIMEOUT_WORDS = Pattern.compile("timeout|timed out|time out|deadline_exceeded|deadline exceeded|deadline expired"
            + "|etimedout|readtimeout|took too long|aborted due to timeout|request aborted|operation was aborted|\\b408\\b|\\b504\\b|gateway time");
    private static final Pattern NETWORK_WORDS = Pattern.compile("connection (?:error|refused|reset|aborted|closed|failed|lost)|connecterror|connectionerror"
            + "|apiconnectionerror|econnrefused|econnreset|enotfound|eai_again|ehostunreach|enetunreach|epipe|getaddrinfo|name or service not known"
            + "|temporary failure in name resolution|name resolution|\\bdns\\b|fetch failed|socket hang ?up|network (?:error|is unreachable|request failed)"
            + "|failed to establish a new connection|newconnectionerror|max retries exceeded with url|remotedisconnected|remote end closed"
            + "|server ?disconnected|clientconnectorerror|\\bssl|sslerror|certificate|tls handshake|broken pipe|unreachable|could not connect|cannot connect|failed to connect"
            + "|networkerror|err_network|no such host|unknownhost|unknown host|could not resolve host|host (?:is )?not found|dial tcp|connection to [^ ]+ timed out|no route to host|peer closed|incomplete chunked read|unexpected eof");
    private static final Pattern TOOL_ARGUMENT_WORDS = Pattern.compile("invalid (?:tool |function )?arguments?|invalidtoolargument|tool ?input ?validation"
            + "|arguments? (?:are |is )?(?:invalid|malformed|not valid)|missing (?:\\d+ )?required (?:positional |keyword )?arguments?"
            + "|unexpected keyword argument|got an unexpected|required (?:property|parameter|field|argument)[^.]{0,40}(?:missing|not provided)"
            + "|field required|missing required (?:parameter|property|field)|validation errors? for \\w*(?:input|args|arguments|schema|params)"
            + "|does not match (?:the )?(?:tool|function|input)? ?schema|error parsing (?:tool|function) (?:call )?arguments|notoolsuch|nosuchtool|no such tool"
            + "|unknown tool|tool [^ ]+ (?:not found|does not exist)|toolinputschema|failed to parse (?:tool|function) (?:call )?arguments"
            + "|schema validation|is not of type|is a required property|invalid_type|expected [a-z]+, received"
            + "|argument '?\\w+'? (?:must|should|is required|is missing|cannot|can't)|input should be a valid|does not match format"
            + "|must be (?:a |an )?(?:non-empty|valid|positive|one of)");
    /** Validation wordings that, in a step parsing the model's output, mean the output did not fit the structure. */
    private static final Pattern SCHEMA_WORDS = Pattern.compile("schema|validation|expected|invalid|retry|attempts");
    /** Spans that parse a model's output into a structure (LangChain output parsers, structured-output helpers). */
    private static final Pattern PARSER_STEP = Pattern.compile("(?i)pars|structured|generateobject|generate_object|instructor");
    private static final Pattern PARSE_WORDS = Pattern.compile("outputparser|could not parse|couldn't parse|failed to parse|unable to parse|parse error|parseerror"
            + "|jsondecodeerror|json decode|expecting value|expecting property name|unexpected token|is not valid json|invalid json|malformed json"
            + "|json\\.parse|syntaxerror: json|noobjectgenerated|no object generated|typevalidationerror|did not match (?:the )?(?:schema|format|expected)"
            + "|response format|structured output|not a valid (?:json|response)|unexpected (?:response|output) format|could not extract|pydantic|validation error for");
    private static final Pattern DATABASE_WORDS = Pattern.compile("sql|database|psycopg|postgres|mysql|sqlite|mongo|redis|operationalerror|integrityerror"
            + "|programmingerror|relation \"?[^ ]+\"? does not exist|deadlock|duplicate key|constraint|no such table|column [^ ]+ does not exist|query failed");
    private static final Pattern CODE_BUG_WORDS = Pattern.compile("attributeerror|typeerror|keyerror|nameerror|indexerror|valueerror|zerodivisionerror"
            + "|assertionerror|nullpointer|referenceerror|undefined is not|cannot read propert|is not a function|is not defined|has no attribute"
            + "|object is not subscriptable|list index out of range|unboundlocalerror|notimplementederror|illegalargument|illegalstate|classcast");
    /** What names an LLM provider or call, so that a status seen in a tool span is the provider's and not the tool's downstream. */
    private static final Pattern PROVIDER_WORDS = Pattern.compile("openai|anthropic|claude|gemini|vertex|bedrock|mistral|cohere|groq|litellm|together"
            + "|generativelanguage|\\bgpt-|\\bo[134]-|chat ?completion|\\bllm\\b|ratelimiterror|rate_limit_error|overloaded_error|api_error|invalid_request_error");

    private ErrorCause() {
    }

    /**
     * The root cause of a trace's failures: the most specific cause any of them shows, the earliest among equally
     * specific ones.
     *
     * @param failures the trace's failed events in time order
     * @param cutOff   whether some generation of the trace stopped at its output token limit (a parse failure that
     *                 follows is that limit's doing)
     * @return null when there is no failure
     */
    public static Cause rootCause(List<Failure> failures, boolean cutOff) {
        Cause best = null;
        int bestRank = -1;
        for (Failure f : failures) {
            Ranked r = classify(f);
            // Among equally specific causes the failure where it happened (a call or a tool) beats the wrappers
            // (chains, agents, the trace) that report it again on their way up.
            int score = r.rank * 2 + (f.wrapper() ? 0 : 1);
            if (score > bestRank) {
                best = r.cause;
                bestRank = score;
            }
        }
        if (best != null && cutOff && best.title().equals(UNPARSEABLE_OUTPUT)) {
            return new Cause(CUT_OFF, null, best.failure(), best.status(), best.gist());
        }
        return best;
    }

    /** The cause of one failure. */
    public static Cause of(Failure f) {
        return classify(f).cause;
    }

    private record Ranked(Cause cause, int rank) {
    }

    private static Ranked classify(Failure f) {
        // The cause is always told near the top; a multi-megabyte log pasted into an error costs nothing more.
        String text = f.error() == null ? "" : f.error().length() > CLASSIFIED_CHARS ? f.error().substring(0, CLASSIFIED_CHARS) : f.error();
        String t = text.toLowerCase(Locale.ROOT);
        Integer status = f.status() != null ? f.status() : statusIn(text);
        String gist = gist(text);
        boolean tool = f.toolStep() && !PROVIDER_WORDS.matcher(t).find();
        String title;
        int rank = SPECIFIC;
        String component = null;
        if (CONTENT_FILTER_WORDS.matcher(t).find()) {
            title = CONTENT_FILTER;
        } else if (CUT_OFF_WORDS.matcher(t).find()) {
            title = CUT_OFF;
        } else if (CONTEXT_WORDS.matcher(t).find() && !rateLimited(t, status)) {
            title = CONTEXT_WINDOW;
        } else if (QUOTA_WORDS.matcher(t).find() || Integer.valueOf(402).equals(status)
                || QUOTA_EXCEEDED.matcher(t).find() && !SHORT_WINDOW.matcher(t).find()) {
            title = QUOTA;
        } else if (EXPIRED_WORDS.matcher(t).find()) {
            title = EXPIRED_CREDENTIALS;
        } else if (rateLimited(t, status)) {
            title = tool ? TOOL_FAILED + "downstream rate limit (429)" : RATE_LIMIT;
        } else if (parserStep(f) && (PARSE_WORDS.matcher(t).find() || TOOL_ARGUMENT_WORDS.matcher(t).find() || SCHEMA_WORDS.matcher(t).find())) {
            // The step that parses the model's output failed: whatever the validator's wording, the output did not fit.
            title = UNPARSEABLE_OUTPUT;
        } else if (TOOL_ARGUMENT_WORDS.matcher(t).find() && (f.toolStep() || t.contains("tool") || t.contains("function"))) {
            title = TOOL_ARGUMENTS;
        } else if (BAD_KEY_WORDS.matcher(t).find()) {
            title = tool ? TOOL_FAILED + "access denied (401/403)" : BAD_API_KEY;
        } else if (MODEL_NOT_FOUND_WORDS.matcher(t).find() && !tool) {
            title = MODEL_NOT_FOUND;
        } else if (PERMISSION_WORDS.matcher(t).find() || Integer.valueOf(403).equals(status)) {
            // "Your API key does not have permission …": the key is valid, its rights are not.
            title = tool ? TOOL_FAILED + "access denied (401/403)" : PERMISSION;
        } else if (API_KEY_WORDS.matcher(t).find() || Integer.valueOf(401).equals(status)) {
            title = tool ? TOOL_FAILED + "access denied (401/403)" : BAD_API_KEY;
        } else if (tool && DATABASE_WORDS.matcher(t).find()) {
            // A tool's query that timed out or lost its connection is still the database's failure, the tool's to fix.
            title = TOOL_FAILED + "database error";
            rank = LIKELY;
        } else if (OVERLOADED_WORDS.matcher(t).find() || Integer.valueOf(529).equals(status)) {
            title = OVERLOADED;
        } else if (TIMEOUT_WORDS.matcher(t).find() || Integer.valueOf(408).equals(status) || Integer.valueOf(504).equals(status)) {
            // A timeout is one cause wherever it happens: the summary says which step waited.
            title = TIMEOUT;
        } else if (NETWORK_WORDS.matcher(t).find()) {
            title = NETWORK;
        } else if (PARSE_WORDS.matcher(t).find() && !tool) {
            title = UNPARSEABLE_OUTPUT;
            rank = LIKELY;
        } else if (Integer.valueOf(404).equals(status) || !tool && t.contains("not_found")) {
            title = tool ? TOOL_FAILED + "resource not found (404)" : MODEL_NOT_FOUND;
            rank = tool ? LIKELY : SPECIFIC;
        } else if (status != null && status >= 500 || t.contains("internal server error") || t.contains("internalserver")
                || t.contains("server_error") || t.contains("service unavailable") || t.contains("bad gateway")
                || t.matches("(?s).*\\b(?:internal|unavailable)\\b.*") && t.matches("(?s).*\\b(?:grpc|status|code|error)\\b.*")) {
            title = tool ? TOOL_FAILED + "downstream server error (5xx)" : SERVER_ERROR;
            rank = LIKELY;
        } else if (status != null && status >= 400 || t.contains("invalid_request") || t.contains("badrequest") || t.contains("bad request")
                || t.contains("invalid_argument") || t.contains("invalidargument") || t.contains("unprocessable")) {
            title = tool ? TOOL_FAILED + "bad request (4xx)" : INVALID_REQUEST;
            rank = GENERIC;
        } else if (tool && CODE_BUG_WORDS.matcher(t).find()) {
            title = TOOL_FAILED + "bug in the tool's code";
            rank = GENERIC;
        } else if (tool) {
            title = TOOL_FAILED + "unexpected error";
            rank = VAGUE;
        } else if (CODE_BUG_WORDS.matcher(t).find()) {
            title = CODE_BUG;
            rank = GENERIC;
        } else {
            title = UNCLASSIFIED;
            rank = VAGUE;
        }
        if (title.startsWith(TOOL_FAILED)) {
            component = f.step();
        }
        return new Ranked(new Cause(title, component, f, status, gist), rank);
    }

    private static boolean parserStep(Failure f) {
        return f.step() != null && PARSER_STEP.matcher(f.step()).find();
    }

    private static boolean rateLimited(String t, Integer status) {
        // Quota and billing wordings were ruled out before: any other 429 is a rate limit.
        return Integer.valueOf(429).equals(status) || RATE_WORDS.matcher(t).find();
    }

    /** A 4xx/5xx status named in the text ("Error code: 429", "status_code=500", "HTTP/1.1 503", "502 Bad Gateway"), or a gRPC status's. */
    static Integer statusIn(String text) {
        String head = text.length() > 4000 ? text.substring(0, 4000) : text;
        Matcher m = STATUS_AFTER_WORD.matcher(head);
        if (m.find()) {
            return Integer.parseInt(m.group(1));
        }
        m = STATUS_BEFORE_REASON.matcher(head);
        if (m.find()) {
            return Integer.parseInt(m.group(1));
        }
        m = STATUS_OPENING_MESSAGE.matcher(head);
        if (m.find()) {
            return Integer.parseInt(m.group(1));
        }
        String upper = head.toUpperCase(Locale.ROOT);
        if (upper.contains("RESOURCE_EXHAUSTED")) {
            return 429;
        }
        if (upper.contains("DEADLINE_EXCEEDED")) {
            return 504;
        }
        if (upper.contains("UNAUTHENTICATED")) {
            return 401;
        }
        if (upper.contains("PERMISSION_DENIED")) {
            return 403;
        }
        if (upper.contains("INVALID_ARGUMENT") || upper.contains("FAILED_PRECONDITION")) {
            return 400;
        }
        return null;
    }

    private static final Pattern MESSAGE_FIELD = Pattern.compile("[\"']message[\"']\\s*:\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|'((?:[^'\\\\]|\\\\.)*)')");

    /** The error's own message, short: a provider body's {@code message}, a traceback's exception line, else the first line. */
    static String gist(String text) {
        if (text == null || text.isBlank()) {
            return "";
        }
        Matcher m = MESSAGE_FIELD.matcher(text);
        String g = null;
        if (m.find()) {
            g = m.group(1) != null ? m.group(1) : m.group(2);
        }
        if (g == null || g.isBlank()) {
            String[] lines = text.strip().split("\n");
            g = lines[0];
            if (text.contains("Traceback (most recent call last)")) {
                for (String l : lines) {
                    if (!l.isEmpty() && !Character.isWhitespace(l.charAt(0)) && !l.startsWith("Traceback") && !l.startsWith("During handling")
                            && !l.startsWith("The above exception")) {
                        g = l;
                    }
                }
            }
        }
        g = g.replaceAll("\\s+", " ").strip();
        return g.length() <= 160 ? g : g.substring(0, 159) + "…";
    }

    /** The exception class a failure names, for the summary only (never the title), or null. */
    static String exceptionClass(String text) {
        Matcher m = EXCEPTION_CLASS.matcher(text == null ? "" : text);
        return m.find() ? m.group(1) : null;
    }
}
