namespace Sluice.Analyzers;

/// <summary>
/// The rule IDs of the Sluice catalog, in one place. The IDs are fixed: never reuse or renumber one.
/// </summary>
public static class RuleIds
{
    /// <summary>SLU101: an EF Core query with no bound materialized whole (ToList, ToArray, ToListAsync...).</summary>
    public const string UnboundedQueryMaterialized = "SLU101";

    /// <summary>SLU102: a text file read whole (ReadAllLines, ReadAllText) and then used one line at a time.</summary>
    public const string WholeFileRead = "SLU102";

    /// <summary>SLU103: a buffered Dapper query over SQL that bounds nothing.</summary>
    public const string BufferedDapperQuery = "SLU103";

    /// <summary>SLU104: a whole result set loaded into a DataTable or DataSet.</summary>
    public const string DataTableFill = "SLU104";

    /// <summary>SLU105: a whole JSON array deserialized into a list or array instead of streamed.</summary>
    public const string WholeJsonArrayDeserialized = "SLU105";

    /// <summary>SLU106: a distributed Spark DataFrame collected whole onto the driver.</summary>
    public const string DatasetCollectedOnDriver = "SLU106";

    /// <summary>SLU107: a loop over a stream that only adds every item to a collection that outlives it.</summary>
    public const string StreamAccumulated = "SLU107";

    /// <summary>SLU108: EF Core entities tracked in a loop over a stream with one SaveChanges after the loop.</summary>
    public const string UnitOfWorkGrows = "SLU108";

    /// <summary>SLU109: a whole dataset loaded into one process through a single-node DataFrame or a whole-file Parquet read.</summary>
    public const string DatasetLoadedWhole = "SLU109";

    /// <summary>SLU201: a catch that neither rethrows, throws, logs the exception object nor passes it on.</summary>
    public const string SwallowedException = "SLU201";

    /// <summary>SLU202: a per-record catch that logs the failure and moves on, so the record is lost.</summary>
    public const string RecordDropped = "SLU202";

    /// <summary>SLU301: an HTTP, command or wait timeout set to infinite.</summary>
    public const string InfiniteTimeout = "SLU301";

    /// <summary>SLU302: a blocking wait with neither a timeout nor a cancellation token.</summary>
    public const string BlockingWaitWithoutTimeout = "SLU302";

    /// <summary>SLU303: a network or database call with no CancellationToken in a member with no token and no timeout.</summary>
    public const string NoDeadline = "SLU303";

    /// <summary>SLU304: a Polly retry with no timeout added after it, so no single attempt is bounded.</summary>
    public const string RetryWithoutAttemptTimeout = "SLU304";

    /// <summary>SLU401: an insert, increment, POST/PATCH or append inside code that a retry runs again.</summary>
    public const string NonIdempotentWriteInRetry = "SLU401";

    /// <summary>SLU402: a for/while/do loop that retries a try block by hand, with a sleep or an attempt counter.</summary>
    public const string HandRolledRetry = "SLU402";

    /// <summary>SLU403: a retry that handles every exception, permanent failures included.</summary>
    public const string RetryHandlesEveryException = "SLU403";

    /// <summary>SLU404: a Polly retry with a constant or linear delay and no jitter.</summary>
    public const string RetryWithoutJitter = "SLU404";

    /// <summary>SLU405: a retry with no attempt limit.</summary>
    public const string UnboundedRetry = "SLU405";

    /// <summary>SLU501: Task.WhenAll over a Select of async calls on a collection of unknown size.</summary>
    public const string UnboundedFanOut = "SLU501";
}

/// <summary>The categories of the catalog, as shown in the IDE and in .editorconfig category settings.</summary>
public static class RuleCategories
{
    /// <summary>Whole datasets loaded into one process.</summary>
    public const string Memory = "Memory";

    /// <summary>Failures that vanish and calls that wait forever.</summary>
    public const string Reliability = "Reliability";

    /// <summary>Retries that corrupt data.</summary>
    public const string Idempotency = "Idempotency";

    /// <summary>Unbounded fan-out.</summary>
    public const string Concurrency = "Concurrency";
}
