// The runtime API that the code fixes write code against, in one file linked into the runtime (and, later, into the
// analyzers and code fixes). Constants only, so it compiles for netstandard2.0 as well as for the runtime's targets.
namespace Sluice.Contract;

/// <summary>
/// What the code fixes rely on in the Sluice runtime: the metadata names of the types they look up, the members and
/// parameter names they write, and the limits the values they write must respect.
/// </summary>
/// <remarks>
/// The runtime takes its limits from here, and its tests check every name against the runtime by reflection and every
/// limit against the runtime's behaviour, so a rename or a limit change fails a build or a test rather than a user's
/// fixed code.
/// </remarks>
internal static class RuntimeContract
{
    /// <summary>The runtime's namespace, which the fixes import (<c>using Sluice;</c>).</summary>
    public const string Namespace = "Sluice";

    /// <summary><c>SluiceResilience</c>: the retry and timeout helpers.</summary>
    internal static class Resilience
    {
        /// <summary>The helpers' type, looked up by the SLU402, SLU403 and SLU303 fixes and by the retry-scope analysis.</summary>
        public const string TypeName = Namespace + "." + TypeShortName;

        /// <summary>The helpers' type name without its namespace (<see cref="Namespace"/>).</summary>
        public const string TypeShortName = "SluiceResilience";

        /// <summary>The synchronous retry helper the SLU402 fix writes for a loop that does not await.</summary>
        public const string Retry = "Retry";

        /// <summary>The asynchronous retry helper the SLU402 fix writes for a loop that awaits.</summary>
        public const string RetryAsync = "RetryAsync";

        /// <summary>The transient-failure predicate (<c>Func&lt;Exception, bool&gt;</c>) the SLU403 fix writes.</summary>
        public const string IsTransient = "IsTransient";

        /// <summary>The per-call timeout helper the SLU303 fix wraps each call in: <c>WithTimeoutAsync(timeout, ct =&gt; call(ct))</c>.</summary>
        public const string WithTimeoutAsync = "WithTimeoutAsync";

        /// <summary>The retried callback of <see cref="Retry"/> and <see cref="RetryAsync"/> (the first parameter), which the retry-scope analysis looks for.</summary>
        public const string OperationParameter = "operation";

        /// <summary>The optional predicate of <see cref="Retry"/> and <see cref="RetryAsync"/>, passed second.</summary>
        public const string ShouldRetryParameter = "shouldRetry";

        /// <summary>The attempt count of <see cref="Retry"/> and <see cref="RetryAsync"/>, which the SLU402 fix passes by name.</summary>
        public const string MaxAttemptsParameter = "maxAttempts";

        /// <summary>The token of <see cref="Retry"/> and <see cref="RetryAsync"/>, which the SLU402 fix passes by name.</summary>
        public const string CancellationTokenParameter = "cancellationToken";

        /// <summary>
        /// The most attempts (the first included, not retries after it) that <see cref="Retry"/> and
        /// <see cref="RetryAsync"/> accept; the SLU402 fix offers nothing for a loop with more.
        /// </summary>
        public const int MaxAttempts = 100;

        /// <summary>The shortest timeout, in milliseconds, that the runtime's timeouts accept.</summary>
        public const int MinTimeoutMilliseconds = 10;

        /// <summary>The longest timeout, in seconds (24 hours), that the runtime's timeouts accept, <see cref="WithTimeoutAsync"/>'s included.</summary>
        public const int MaxTimeoutSeconds = 24 * 60 * 60;
    }

    /// <summary><c>SluiceBatchingExtensions</c>: streaming in batches.</summary>
    internal static class Batching
    {
        /// <summary>The extensions' type, looked up by the SLU101, SLU107 and SLU108 fixes.</summary>
        public const string TypeName = Namespace + ".SluiceBatchingExtensions";

        /// <summary>
        /// The extension method the SLU101, SLU107 and SLU108 fixes write as <c>source.InBatches(n)</c>, over an
        /// <c>IQueryable&lt;T&gt;</c>, an <c>IAsyncEnumerable&lt;T&gt;</c> or an <c>IEnumerable&lt;T&gt;</c>; SLU501 treats its batches as bounded.
        /// </summary>
        public const string InBatches = "InBatches";

        /// <summary>The largest batch size the runtime accepts: the upper bound of every <c>batch_size</c> option a fix writes.</summary>
        public const int MaxBatchSize = 1_000_000;
    }

    /// <summary><c>SluiceFile</c>: reading a file one line at a time.</summary>
    internal static class Files
    {
        /// <summary>The type, looked up by the SLU107 fix as a source of lines it may batch.</summary>
        public const string TypeName = Namespace + ".SluiceFile";

        /// <summary>The synchronous line stream the SLU107 fix recognizes.</summary>
        public const string ReadLines = "ReadLines";

        /// <summary>The asynchronous line stream the SLU107 fix recognizes.</summary>
        public const string ReadLinesAsync = "ReadLinesAsync";
    }

    /// <summary>Dead letters: what the SLU201 and SLU202 fixes write in a catch that would lose a record.</summary>
    internal static class DeadLettering
    {
        /// <summary>The sink interface: the fixes write to a sink of this type in scope, or add a field of it.</summary>
        public const string SinkTypeName = Namespace + ".IDeadLetterSink";

        /// <summary>The dead letter, created by the fixes with <c>DeadLetter.From(record, exception)</c>.</summary>
        public const string DeadLetterTypeName = Namespace + ".DeadLetter";

        /// <summary>The factory the fixes call: <c>DeadLetter.From(record, exception)</c>.</summary>
        public const string From = "From";

        /// <summary>The embedded sink the fixes create for a new field: <c>new JsonLinesDeadLetterSink("dead-letters/Owner.jsonl")</c>.</summary>
        public const string JsonLinesSinkTypeName = Namespace + ".JsonLinesDeadLetterSink";

        /// <summary>The type of the one-letter extension methods the fixes call on the sink.</summary>
        public const string SinkExtensionsTypeName = Namespace + ".SluiceDeadLetterSinkExtensions";

        /// <summary>The blocking write the fixes call where the catch cannot await: <c>sink.Write(letter)</c>.</summary>
        public const string Write = "Write";

        /// <summary>The write the fixes await where the catch can: <c>await sink.WriteAsync(letter[, token])</c>.</summary>
        public const string WriteAsync = "WriteAsync";
    }

    /// <summary>Idempotency keys: what the SLU401 fix writes for an HTTP POST or PATCH inside a retry.</summary>
    internal static class Idempotency
    {
        /// <summary>The key type, looked up by the SLU401 fix.</summary>
        public const string KeyTypeName = Namespace + ".IdempotencyKey";

        /// <summary>The key derivation the fix writes: <c>IdempotencyKey.For("Type.Member", record.Id)</c>.</summary>
        public const string For = "For";

        /// <summary>The constant the fix writes as the header's name: <c>request.Headers.Add(IdempotencyKey.HeaderName, key)</c>.</summary>
        public const string HeaderNameField = "HeaderName";

        /// <summary>The HTTP header itself, which SLU401 looks for on a request so that it stays silent once it is set.</summary>
        public const string HeaderName = "Idempotency-Key";

        /// <summary>The HttpClient extensions' type, looked up by the SLU401 fix.</summary>
        public const string HttpClientExtensionsTypeName = Namespace + ".SluiceHttpClientExtensions";

        /// <summary>What the fix turns <c>client.PostAsync(uri, content[, token])</c> into: <c>client.PostWithIdempotencyKeyAsync(uri, content, key[, token])</c>.</summary>
        public const string PostWithIdempotencyKeyAsync = "PostWithIdempotencyKeyAsync";

        /// <summary>What the fix turns <c>client.PatchAsync(uri, content[, token])</c> into: <c>client.PatchWithIdempotencyKeyAsync(uri, content, key[, token])</c>.</summary>
        public const string PatchWithIdempotencyKeyAsync = "PatchWithIdempotencyKeyAsync";
    }

    /// <summary><c>SluicePipeline</c>: partitioned parallel execution.</summary>
    internal static class Pipelines
    {
        /// <summary>The pipeline builder's entry point.</summary>
        public const string TypeName = Namespace + ".SluicePipeline";

        /// <summary>
        /// The largest degree of parallelism the pipeline accepts, and so the most a fix may write for it. No fix targets the
        /// pipeline yet; SLU501's <c>max_degree_of_parallelism</c> option (for <c>Parallel.ForEachAsync</c>) has the same bound.
        /// </summary>
        public const int MaxParallelism = 1024;
    }
}
