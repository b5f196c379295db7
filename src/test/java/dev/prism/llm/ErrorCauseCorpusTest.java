package dev.prism.llm;

import dev.prism.llm.ErrorCause.Failure;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each cause in many forms: SDKs (OpenAI, Anthropic, Gemini/Vertex, Bedrock, Azure, Mistral, LangChain, LlamaIndex,
 * Vercel AI SDK, LiteLLM), languages (Python, TypeScript, Java, Go), gRPC status names, provider error bodies as JSON or
 * Python dicts, bare statuses. Every form of a cause must get the one title of that cause.
 */
class ErrorCauseCorpusTest {

    private static Failure gen(String model, String provider, Integer status, String error) {
        return new Failure("generation", null, model, provider, status, error);
    }

    private static Failure span(String name, String error) {
        return new Failure("span", name, null, null, null, error);
    }

    private static Failure chain(String name, String error) {
        return new Failure("chain", name, null, null, null, error);
    }

    /** Appends: several causes share a title (an overloaded provider is a server error), and later forms add to earlier ones. */
    private static void add(Map<String, List<Failure>> c, String title, List<Failure> forms) {
        c.merge(title, forms, (a, b) -> java.util.stream.Stream.concat(a.stream(), b.stream()).toList());
    }

    static Map<String, List<Failure>> corpus() {
        Map<String, List<Failure>> c = new LinkedHashMap<>();
        add(c, ErrorCause.RATE_LIMIT, List.of(
                gen("gpt-4o", "openai", 429, "openai.RateLimitError: Error code: 429 - {'error': {'message': 'You have hit your limit of 500 requests per min (RPM) on gpt-4o. Retry shortly.', 'type': 'requests', 'code': 'rate_limit_exceeded'}}"),
                gen("claude-sonnet-4", "anthropic", null, "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"This request would exceed your organization's output tokens per minute limit.\"}}"),
                gen("gemini-2.0-flash", "google", null, "google.api_core.exceptions.ResourceExhausted: 429 Resource has been exhausted (e.g. check quota)."),
                gen("gemini-1.5-pro", "vertex", null, "grpc status RESOURCE_EXHAUSTED: Too many concurrent requests for this model"),
                gen("gpt-4.1-mini", "openai", null, "AI_APICallError: Too Many Requests\n    at handleFetchError (node_modules/@ai-sdk/provider-utils/dist/index.mjs:88:11)"),
                gen("mistral-large", "mistral", 429, "SDKError: API error occurred: Status 429\n{\"message\":\"Requests rate limit exceeded\"}"),
                gen("anthropic.claude-3-haiku", "bedrock", null, "botocore.errorfactory.ThrottlingException: An error occurred (ThrottlingException) when calling the InvokeModel operation: Too many tokens, please wait before trying again."),
                chain("AgentExecutor", "tenacity.RetryError: RetryError[<Future at 0x7f3a state=finished raised RateLimitError>]"),
                gen("gpt-4o-mini", "azure", null, "Requests to the ChatCompletions_Create Operation under Azure OpenAI API have exceeded call rate limit of your current pricing tier. Please retry after 7 seconds."),
                gen("llama-3.1-70b", "groq", null, "groq.RateLimitError: Error code: 429 - {'error': {'message': 'Limit 6000, Used 5990, Requested 412. Please try again in 4.02s.', 'type': 'tokens'}}"),
                gen("gpt-4o", "openai", null, "HTTP/1.1 429 Too Many Requests")));
        add(c, ErrorCause.QUOTA, List.of(
                gen("gpt-4o-mini", "openai", 429, "openai.RateLimitError: Error code: 429 - {'error': {'message': 'You exceeded your current quota, please check your plan and billing details.', 'type': 'insufficient_quota'}}"),
                gen("claude-3-5-haiku", "anthropic", 400, "anthropic.BadRequestError: Error code: 400 - {'type': 'error', 'error': {'type': 'invalid_request_error', 'message': 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.'}}"),
                gen("gemini-2.5-pro", "google", 429, "{\"error\":{\"code\":429,\"message\":\"Quota exceeded for metric: generativelanguage.googleapis.com/generate_requests_per_model_per_day, limit: 50\",\"status\":\"RESOURCE_EXHAUSTED\"}}"),
                gen("gpt-4.1", "openai", 402, "Payment Required"),
                gen("mixtral-8x7b", "together", null, "Error: Your account has run out of credits: insufficient balance on the account"),
                gen("command-r", "cohere", null, "cohere.errors.TooManyRequestsError: status_code: 429, body: {'message': 'You have reached your monthly limit on the trial key. Upgrade to a production key.'}"),
                gen("gpt-4o", "openai", null, "Error: 429 You exceeded your current quota, please check your plan and billing details.\n    at APIError.generate (file:///app/node_modules/openai/error.mjs:62:20)")));
        add(c, ErrorCause.EXPIRED_CREDENTIALS, List.of(
                span("calendar_lookup", "google.auth.exceptions.RefreshError: ('invalid_grant: Token has been expired or revoked.', {'error': 'invalid_grant'})"),
                span("crm_sync", "InvalidGrantError: invalid_grant"),
                gen("claude-3-7-sonnet", "bedrock", null, "botocore.exceptions.ClientError: An error occurred (ExpiredTokenException) when calling the InvokeModel operation: The security token included in the request is expired"),
                gen("gemini-1.5-flash", "vertex", 401, "google.auth.exceptions.RefreshError: Reauthentication is needed. Please run `gcloud auth application-default login` to reauthenticate."),
                span("fetch_orders", "AuthenticationError: 401 Unauthorized: jwt expired"),
                span("sharepoint_search", "MsalServiceException: AADSTS700082: The refresh token has expired due to inactivity."),
                gen("gpt-4o", "azure", 401, "openai.AuthenticationError: Error code: 401 - {'statusCode': 401, 'message': 'Unauthorized. Access token is missing, invalid, audience is incorrect, or have expired.'}"),
                span("slack_post", "TokenExpiredError: The OAuth token for this workspace expired at 2025-03-02T10:00:00Z")));
        add(c, ErrorCause.BAD_API_KEY, List.of(
                gen("gpt-4o", "openai", 401, "openai.AuthenticationError: Error code: 401 - {'error': {'message': 'Incorrect API key provided: sk-proj-****abcd. You can find your API key at https://platform.openai.com/account/api-keys.', 'code': 'invalid_api_key'}}"),
                gen("claude-3-5-sonnet", "anthropic", 401, "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"}}"),
                gen("gemini-2.0-flash", "google", 400, "google.genai.errors.ClientError: 400 INVALID_ARGUMENT. {'error': {'code': 400, 'message': 'API key not valid. Please pass a valid API key.', 'status': 'INVALID_ARGUMENT', 'details': [{'reason': 'API_KEY_INVALID'}]}}"),
                gen("gpt-4o-mini", "openai", null, "OpenAIError: The OPENAI_API_KEY environment variable is missing or empty; either provide it, or instantiate the OpenAI client with an apiKey option"),
                gen("claude-haiku-4-5", "anthropic", null, "Error: Could not resolve authentication method. Expected either apiKey or authToken to be set."),
                gen("gemini-1.5-pro", "vertex", null, "google.auth.exceptions.DefaultCredentialsError: Your default credentials were not found."),
                gen("mistral-small", "mistral", 401, "Unauthorized"),
                gen("gpt-4o", "openai", null, "rpc error: code = Unauthenticated desc = Request had invalid authentication credentials.")));
        add(c, ErrorCause.PERMISSION, List.of(
                gen("gemini-2.5-pro", "vertex", 403, "google.api_core.exceptions.PermissionDenied: 403 Permission 'aiplatform.endpoints.predict' denied on resource"),
                gen("gpt-4o", "openai", 403, "openai.PermissionDeniedError: Error code: 403 - {'error': {'message': 'Project does not have access to model gpt-4o', 'code': 'model_not_allowed_for_project'}}"),
                gen("claude-opus-4", "anthropic", null, "{\"type\":\"error\",\"error\":{\"type\":\"permission_error\",\"message\":\"Your API key does not have permission to use the specified resource.\"}}"),
                gen("anthropic.claude-3-sonnet", "bedrock", null, "AccessDeniedException: You don't have access to the model with the specified model ID."),
                gen("gpt-4.1", "openai", 403, "Error: 403 Country, region, or territory not supported"),
                gen("gemini-1.5-flash", "google", null, "status: PERMISSION_DENIED, message: The caller does not have permission"),
                gen("o3", "openai", 403, "Forbidden")));
        add(c, ErrorCause.CONTEXT_WINDOW, List.of(
                gen("gpt-4o-mini", "openai", 400, "openai.BadRequestError: Error code: 400 - {'error': {'message': \"This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens.\", 'code': 'context_length_exceeded'}}"),
                gen("claude-sonnet-4", "anthropic", 400, "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"prompt is too long: 214005 tokens > 200000 maximum\"}}"),
                gen("gemini-1.5-pro", "google", 400, "400 The input token count (1300000) exceeds the maximum number of tokens allowed (1048576)."),
                gen("gpt-4o", "openai", null, "litellm.ContextWindowExceededError: litellm.BadRequestError: ContextWindowExceededError: OpenAIException - context window exceeded"),
                chain("RetrievalQA", "ValueError: Requested tokens (9120) exceed context window of 8192"),
                gen("llama3-8b", "ollama", null, "Error: input length exceeds the context length"),
                gen("mistral-medium", "mistral", 400, "{\"object\":\"error\",\"message\":\"Prompt contains 40012 tokens, too many tokens for model with 32768 maximum context length\",\"type\":\"invalid_request_error\"}")));
        add(c, ErrorCause.TIMEOUT, List.of(
                gen("gpt-4o", "openai", null, "openai.APITimeoutError: Request timed out."),
                gen("claude-opus-4", "anthropic", null, "anthropic.APITimeoutError: Request timed out or interrupted. This could be due to a network timeout, dropped connection, or request cancellation."),
                gen("gemini-2.5-flash", "vertex", 504, "google.api_core.exceptions.DeadlineExceeded: 504 Deadline Exceeded"),
                gen("gemini-1.5-pro", "google", null, "rpc error: code = DeadlineExceeded desc = context deadline exceeded"),
                gen("gpt-4.1-mini", "openai", null, "httpx.ReadTimeout: The read operation timed out"),
                gen("claude-3-haiku", "anthropic", null, "DOMException [TimeoutError]: The operation was aborted due to timeout"),
                gen("gpt-4o-mini", "azure", 408, "Request Timeout"),
                gen("mistral-large", "mistral", 504, "<html><body><h1>504 Gateway Time-out</h1></body></html>"),
                // A tool that timed out is a timeout too: the summary names the step.
                span("scrape_page", "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='shop.example.com', port=443): Read timed out. (read timeout=10)"),
                span("run_sql", "asyncio.exceptions.TimeoutError"),
                span("web_search", "Error: timeout of 8000ms exceeded")));
        add(c, ErrorCause.SERVER_ERROR, List.of(
                gen("gpt-4o", "openai", 500, "openai.InternalServerError: Error code: 500 - {'error': {'message': 'The server had an error while processing your request. Sorry about that!', 'type': 'server_error'}}"),
                gen("claude-3-5-sonnet", "anthropic", null, "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal server error\"}}"),
                gen("gemini-2.0-flash", "google", 500, "google.genai.errors.ServerError: 500 INTERNAL. {'error': {'code': 500, 'message': 'An internal error has occurred.', 'status': 'INTERNAL'}}"),
                gen("gpt-4.1", "openai", 502, "Bad Gateway"),
                gen("command-r-plus", "cohere", null, "cohere.errors.InternalServerError: status_code: 500, body: {'message': 'internal server error, this has been reported to our developers'}"),
                gen("gpt-4o-mini", "openai", null, "Error: 503 Service Unavailable\n    at OpenAI.makeRequest (/srv/node_modules/openai/core.js:304:33)"),
                gen("claude-3-7-sonnet", "bedrock", null, "botocore.errorfactory.InternalServerException: An error occurred (InternalServerException) when calling the Converse operation (reached max retries: 4): Internal Server Error")));
        add(c, ErrorCause.OVERLOADED, List.of(
                gen("claude-sonnet-4", "anthropic", 529, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"),
                gen("gemini-2.5-pro", "google", 503, "google.genai.errors.ServerError: 503 UNAVAILABLE. {'error': {'code': 503, 'message': 'The model is overloaded. Please try again later.', 'status': 'UNAVAILABLE'}}"),
                gen("gpt-4o", "openai", 503, "openai.InternalServerError: Error code: 503 - {'error': {'message': 'The engine is currently overloaded, please try again later'}}"),
                gen("claude-3-opus", "anthropic", null, "anthropic.InternalServerError: Error code: 529"),
                gen("mistral-large", "mistral", 503, "Service unavailable: the servers are busy due to high demand, retry later"),
                gen("anthropic.claude-3-5-sonnet", "bedrock", null, "ModelNotReadyException / ServiceUnavailableException: The model is at capacity")));
        add(c, ErrorCause.NETWORK, List.of(
                gen("gpt-4o", "openai", null, "openai.APIConnectionError: Connection error."),
                gen("claude-3-5-haiku", "anthropic", null, "TypeError: fetch failed\n    at node:internal/deps/undici/undici:13502:13 [cause]: Error: getaddrinfo ENOTFOUND api.anthropic.com"),
                gen("gpt-4o-mini", "azure", null, "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='myres.openai.azure.com', port=443): Max retries exceeded with url: /openai/deployments (Caused by NewConnectionError('Failed to establish a new connection: [Errno 111] Connection refused'))"),
                gen("gemini-2.0-flash", "google", null, "aiohttp.client_exceptions.ServerDisconnectedError: Server disconnected"),
                gen("llama3.1", "ollama", null, "httpx.ConnectError: [Errno 111] Connection refused"),
                gen("gpt-4.1", "openai", null, "Error: read ECONNRESET\n    at TLSWrap.onStreamRead (node:internal/stream_base_commons:218:20)"),
                gen("claude-sonnet-4", "anthropic", null, "ssl.SSLError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate")));
        add(c, ErrorCause.MODEL_NOT_FOUND, List.of(
                gen("gpt-5-turbo", "openai", 404, "openai.NotFoundError: Error code: 404 - {'error': {'message': 'The model `gpt-5-turbo` does not exist or you do not have access to it.', 'code': 'model_not_found'}}"),
                gen("claude-3-opus-latest", "anthropic", 404, "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"model: claude-3-opus-latest\"}}"),
                gen("gemini-pro-2", "google", 404, "404 models/gemini-pro-2 is not found for API version v1beta, or is not supported for generateContent."),
                gen("gpt-4o", "azure", 404, "openai.NotFoundError: Error code: 404 - {'error': {'code': 'DeploymentNotFound', 'message': 'The API deployment for this resource does not exist.'}}"),
                gen("mistral-huge", "mistral", 400, "Invalid model: mistral-huge"),
                gen("llama4", "ollama", 404, "model \"llama4\" not found, try pulling it first")));
        add(c, ErrorCause.INVALID_REQUEST, List.of(
                gen("o3-mini", "openai", 400, "openai.BadRequestError: Error code: 400 - {'error': {'message': \"Unsupported parameter: 'temperature' is not supported with this model.\", 'type': 'invalid_request_error'}}"),
                gen("claude-sonnet-4", "anthropic", 400, "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"messages.1: roles must alternate between \\\"user\\\" and \\\"assistant\\\"\"}}"),
                gen("gemini-2.0-flash", "google", null, "google.api_core.exceptions.InvalidArgument: 400 Request contains an invalid argument."),
                gen("gpt-4o", "openai", 422, "Unprocessable Entity"),
                gen("command-r", "cohere", null, "cohere.errors.BadRequestError: status_code: 400, body: {'message': 'invalid request: message must not be empty'}")));
        add(c, ErrorCause.TOOL_ARGUMENTS, List.of(
                span("search_flights", "pydantic_core._pydantic_core.ValidationError: 1 validation error for SearchFlightsInput\ndeparture_date\n  Field required [type=missing]"),
                span("get_weather", "TypeError: get_weather() missing 1 required positional argument: 'city'"),
                gen("gpt-4o", "openai", null, "AI_InvalidToolArgumentsError: Invalid arguments for tool lookupOrder: Type validation failed: Value: {\"orderId\":12}."),
                span("create_ticket", "ToolException: Error parsing tool arguments: expected JSON object, got string"),
                span("book_room", "TypeError: book_room() got an unexpected keyword argument 'guests_count'"),
                gen("claude-sonnet-4", "anthropic", null, "AI_NoSuchToolError: Model tried to call unavailable tool 'send_fax'. Available tools: send_email.")));
        add(c, ErrorCause.UNPARSEABLE_OUTPUT, List.of(
                chain("StructuredChain", "langchain_core.exceptions.OutputParserException: Invalid json output: Sure! Here is the answer you asked for"),
                gen("gpt-4o-mini", "openai", null, "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)"),
                gen("claude-3-5-haiku", "anthropic", null, "SyntaxError: Unexpected token 'H', \"Here is th\"... is not valid JSON\n    at JSON.parse (<anonymous>)"),
                gen("gemini-2.0-flash", "google", null, "AI_NoObjectGeneratedError: No object generated: response did not match schema."),
                chain("extract_invoice", "ValueError: Could not parse LLM output: `I think the total is about forty dollars`")));
        add(c, ErrorCause.CUT_OFF, List.of(
                gen("gpt-4o", "openai", null, "openai.LengthFinishReasonError: Could not parse response content as the length limit was reached - CompletionUsage(completion_tokens=4096)"),
                gen("gemini-1.5-flash", "google", null, "ValueError: Response was terminated early: finishReason MAX_TOKENS"),
                gen("claude-3-5-sonnet", "anthropic", null, "Generation stopped: stop_reason=max_tokens before the JSON object was closed"),
                gen("gpt-4.1-mini", "openai", null, "Response incomplete: incomplete_details.reason = max_output_tokens"),
                chain("summarise", "OutputParserException: the model output was truncated (finish_reason='length')")));
        add(c, ErrorCause.CONTENT_FILTER, List.of(
                gen("gpt-4o", "azure", 400, "openai.BadRequestError: Error code: 400 - {'error': {'message': \"The response was filtered due to the prompt triggering Azure OpenAI's content management policy.\", 'code': 'content_filter'}}"),
                gen("gemini-1.5-pro", "google", null, "ValueError: Response candidate blocked: finish_reason SAFETY; HARM_CATEGORY_DANGEROUS_CONTENT probability HIGH"),
                gen("gpt-4o-mini", "openai", 400, "Invalid prompt: your prompt was flagged as potentially violating our usage policy. (code: invalid_prompt)"),
                gen("gemini-2.0-flash", "vertex", null, "google.genai.errors: prompt_feedback block_reason: PROHIBITED_CONTENT"),
                gen("anthropic.claude-3-haiku", "bedrock", null, "ValidationException: Input was blocked by the guardrail: content policy violation")));
        add(c, ErrorCause.TOOL_FAILED + "downstream server error (5xx)", List.of(
                span("search_inventory", "requests.exceptions.HTTPError: 500 Server Error: Internal Server Error for url: https://inventory.internal/api/items?q=boots"),
                span("get_exchange_rate", "Error: Request failed with status code 502\n    at createError (node_modules/axios/lib/core/createError.js:16:15)"),
                span("geocode", "httpx.HTTPStatusError: Server error '503 Service Unavailable' for url 'https://geo.example.com/v1/lookup'")));
        add(c, ErrorCause.TOOL_FAILED + "resource not found (404)", List.of(
                span("fetch_invoice", "requests.exceptions.HTTPError: 404 Client Error: Not Found for url: https://billing.internal/invoices/INV-2291"),
                span("get_user_profile", "Error: Request failed with status code 404"),
                span("read_doc", "FetchError: HTTP 404 while fetching https://wiki.internal/page/onboarding")));
        add(c, ErrorCause.TOOL_FAILED + "database error", List.of(
                span("monthly_report", "psycopg2.errors.UndefinedTable: relation \"fuel_costs\" does not exist\nLINE 1: SELECT * FROM fuel_costs"),
                span("save_note", "sqlalchemy.exc.IntegrityError: (sqlite3.IntegrityError) UNIQUE constraint failed: notes.slug"),
                span("lookup_customer", "MongoServerError: E11000 duplicate key error collection: crm.customers"),
                span("weekly_totals", "psycopg.errors.QueryCanceled: canceling statement due to statement timeout"),
                span("load_accounts", "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) could not connect to server: Connection refused")));
        add(c, ErrorCause.TOOL_FAILED + "bug in the tool's code", List.of(
                span("get_payment", "AttributeError: 'NoneType' object has no attribute 'amount'"),
                span("format_receipt", "TypeError: Cannot read properties of undefined (reading 'total')"),
                span("rank_results", "KeyError: 'score'")));
        return c;
    }

    /** Other languages' clients (Java, Go, .NET, Ruby, Rust): written after the taxonomy, to see it generalise. */
    static Map<String, List<Failure>> otherLanguages() {
        Map<String, List<Failure>> c = new LinkedHashMap<>();
        add(c, ErrorCause.RATE_LIMIT, List.of(
                gen("gpt-4o", "openai", null, "com.openai.errors.RateLimitException: 429: Rate limit reached for requests"),
                gen("gemini-2.0-flash", "vertex", null, "io.grpc.StatusRuntimeException: RESOURCE_EXHAUSTED: Quota exceeded for aiplatform.googleapis.com/generate_content_requests_per_minute_per_project_per_base_model"),
                gen("gpt-4o-mini", "openai", null, "POST \"https://api.openai.com/v1/chat/completions\": 429 Too Many Requests"),
                gen("gpt-4o", "azure", null, "System.ClientModel.ClientResultException: HTTP 429 (Too Many Requests)"),
                gen("claude-sonnet-4", "anthropic", null, "Faraday::TooManyRequestsError: the server responded with status 429")));
        add(c, ErrorCause.TIMEOUT, List.of(
                gen("gpt-4o", "openai", null, "java.net.SocketTimeoutException: Read timed out"),
                gen("gemini-1.5-pro", "vertex", null, "io.grpc.StatusRuntimeException: DEADLINE_EXCEEDED: deadline exceeded after 59.99s"),
                gen("gpt-4.1", "openai", null, "Post \"https://api.openai.com/v1/responses\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"),
                gen("claude-3-5-haiku", "anthropic", null, "System.Threading.Tasks.TaskCanceledException: The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.")));
        add(c, ErrorCause.BAD_API_KEY, List.of(
                gen("gpt-4o", "openai", null, "com.openai.errors.UnauthorizedException: 401: Incorrect API key provided"),
                gen("gemini-2.0-flash", "vertex", null, "io.grpc.StatusRuntimeException: UNAUTHENTICATED: Request had invalid authentication credentials."),
                gen("mistral-large", "mistral", null, "reqwest::Error { kind: Status(401), url: \"https://api.mistral.ai/v1/chat/completions\" }")));
        add(c, ErrorCause.CONTEXT_WINDOW, List.of(
                gen("gpt-4o", "openai", null, "dev.langchain4j.exception.InvalidRequestException: This model's maximum context length is 128000 tokens"),
                gen("claude-sonnet-4", "anthropic", null, "anthropic: prompt is too long: 203411 tokens > 200000 maximum")));
        add(c, ErrorCause.SERVER_ERROR, List.of(
                gen("gpt-4o", "openai", null, "com.openai.errors.InternalServerException: 500: The server had an error while processing your request"),
                gen("gemini-1.5-flash", "vertex", null, "io.grpc.StatusRuntimeException: INTERNAL: Internal error encountered."),
                gen("gpt-4o-mini", "openai", null, "POST \"https://api.openai.com/v1/chat/completions\": 502 Bad Gateway")));
        add(c, ErrorCause.NETWORK, List.of(
                gen("gpt-4o", "openai", null, "java.net.ConnectException: Connection refused"),
                gen("claude-3-haiku", "anthropic", null, "dial tcp: lookup api.anthropic.com: no such host"),
                gen("gpt-4o", "azure", null, "System.Net.Http.HttpRequestException: No such host is known. (myres.openai.azure.com:443)")));
        return c;
    }

    @Test
    @DisplayName("clients in other languages (Java, Go, .NET, Ruby, Rust) get the same cause titles")
    void otherLanguagesGeneralise() {
        List<String> wrong = new ArrayList<>();
        otherLanguages().forEach((cause, forms) -> forms.forEach(f -> {
            String title = ErrorCause.of(f).title();
            if (!title.equals(cause)) {
                wrong.add(cause + " <- got \"" + title + "\" for: " + f.error());
            }
        }));
        assertThat(wrong).isEmpty();
    }

    @Test
    @DisplayName("every form of a cause, whatever its SDK, language, exception class or wording, gets that cause's one title")
    void oneTitlePerCause() {
        Map<String, Set<String>> titlesByCause = new LinkedHashMap<>();
        List<String> wrong = new ArrayList<>();
        int forms = 0;
        for (Map.Entry<String, List<Failure>> e : corpus().entrySet()) {
            for (Failure f : e.getValue()) {
                forms++;
                String title = ErrorCause.of(f).title();
                titlesByCause.computeIfAbsent(e.getKey(), k -> new LinkedHashSet<>()).add(title);
                if (!title.equals(e.getKey())) {
                    wrong.add(e.getKey() + " <- got \"" + title + "\" for: " + f.error());
                }
            }
        }
        assertThat(forms).isGreaterThanOrEqualTo(120);
        assertThat(wrong).as("misnamed forms").isEmpty();
        assertThat(titlesByCause.values()).allSatisfy(titles -> assertThat(titles).hasSize(1));
    }

    @Test
    @DisplayName("a title never names an exception class, SDK or model")
    void titlesNameTheCauseNotTheSurface() {
        for (List<Failure> forms : corpus().values()) {
            for (Failure f : forms) {
                String title = ErrorCause.of(f).title();
                assertThat(title).doesNotContainPattern("[A-Z][a-z]+(Error|Exception)\\b")
                        .doesNotContainIgnoringCase("openai").doesNotContainIgnoringCase("anthropic").doesNotContainIgnoringCase("gemini");
                if (f.model() != null) {
                    assertThat(title).doesNotContain(f.model());
                }
            }
        }
    }

    @Test
    @DisplayName("the root cause wins over the wrapper that reports it, and over a vaguer failure earlier in the trace")
    void rootCause() {
        Failure rateLimited = gen("gpt-4o", "openai", 429, "openai.RateLimitError: Error code: 429 - rate limit reached for requests");
        Failure wrapper = chain("agent", "AgentExecutionError: the agent run failed after 3 steps");
        Failure trace = new Failure("trace", "support_bot", null, null, null, "RuntimeError: pipeline aborted");
        assertThat(ErrorCause.rootCause(List.of(trace, rateLimited, wrapper), false).title()).isEqualTo(ErrorCause.RATE_LIMIT);

        // A tool's bug reported again by the agent and the trace: the tool's failure, with the tool named.
        Failure tool = span("get_payment", "AttributeError: 'NoneType' object has no attribute 'amount'");
        Failure agent = chain("AgentExecutor", "AttributeError: 'NoneType' object has no attribute 'amount'");
        Failure root = new Failure("trace", "support", null, null, null, "AttributeError: 'NoneType' object has no attribute 'amount'");
        ErrorCause.Cause cause = ErrorCause.rootCause(List.of(root, agent, tool), false);
        assertThat(cause.title()).isEqualTo(ErrorCause.TOOL_FAILED + "bug in the tool's code");
        assertThat(cause.component()).isEqualTo("get_payment");

        // A parse failure after a generation stopped at its token limit is the limit's doing.
        Failure parse = chain("extract", "OutputParserException: Invalid json output: {\"items\": [\"a\", \"b\"");
        assertThat(ErrorCause.rootCause(List.of(parse), true).title()).isEqualTo(ErrorCause.CUT_OFF);
        assertThat(ErrorCause.rootCause(List.of(parse), false).title()).isEqualTo(ErrorCause.UNPARSEABLE_OUTPUT);

        assertThat(ErrorCause.rootCause(List.of(), false)).isNull();
    }

    @Test
    @DisplayName("a status in a tool's span is the tool's downstream, unless the text says it came from an LLM provider")
    void toolOrProvider() {
        assertThat(ErrorCause.of(span("search", "HTTPError: 429 Client Error: Too Many Requests for url: https://search.example/api")).title())
                .isEqualTo(ErrorCause.TOOL_FAILED + "downstream rate limit (429)");
        assertThat(ErrorCause.of(span("summarise_with_llm", "openai.RateLimitError: Error code: 429")).title()).isEqualTo(ErrorCause.RATE_LIMIT);
    }

    @Test
    @DisplayName("failures that name no known cause still get a cause class, never an exception name")
    void fallback() {
        assertThat(ErrorCause.of(chain("pipeline", "ZeroDivisionError: division by zero")).title()).isEqualTo(ErrorCause.CODE_BUG);
        assertThat(ErrorCause.of(gen("gpt-4o", "openai", null, "SomethingWeirdHappenedError: ¯\\_(ツ)_/¯")).title()).isEqualTo(ErrorCause.UNCLASSIFIED);
        assertThat(ErrorCause.of(span("custom_tool", "CustomToolFailure: it broke")).title()).isEqualTo(ErrorCause.TOOL_FAILED + "unexpected error");
    }

    @Test
    @DisplayName("the gist is the provider's message, or a traceback's exception line, cut short")
    void gist() {
        assertThat(ErrorCause.gist("openai.RateLimitError: Error code: 429 - {'error': {'message': 'Slow down please', 'type': 'requests'}}"))
                .isEqualTo("Slow down please");
        assertThat(ErrorCause.gist("Traceback (most recent call last):\n  File \"/app/x.py\", line 3, in f\n    g()\nKeyError: 'score'"))
                .isEqualTo("KeyError: 'score'");
        assertThat(ErrorCause.gist("x".repeat(500))).hasSize(160);
    }

    @Test
    @DisplayName("only the head of a huge error is read: the cause at the top is found, a log pasted beneath costs nothing")
    void hugeErrors() {
        String log = "\n".repeat(10) + "INFO step done; ".repeat(200_000);
        long started = System.nanoTime();
        assertThat(ErrorCause.of(gen("gpt-4o", "openai", null, "openai.APITimeoutError: Request timed out." + log)).title()).isEqualTo(ErrorCause.TIMEOUT);
        assertThat(ErrorCause.of(gen("gpt-4o", "openai", null, "x".repeat(10_000) + " Request timed out.")).title()).isEqualTo(ErrorCause.UNCLASSIFIED);
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(2_000);
    }
}
