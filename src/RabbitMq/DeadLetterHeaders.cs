namespace Sluice.RabbitMq;

/// <summary>
/// The headers a <see cref="RabbitMqSource"/> adds to a message it dead-letters to the topology's dead-letter exchange,
/// beside the original body, message id, content type and headers.
/// </summary>
public static class DeadLetterHeaders
{
    /// <summary>The full name of the exception type that made the record fail for good.</summary>
    public const string ExceptionType = "x-sluice-exception-type";

    /// <summary>The exception's message.</summary>
    public const string ExceptionMessage = "x-sluice-exception-message";

    /// <summary>The exception's stack trace with inner exceptions, cut to <see cref="MaxStackTraceLength"/> characters.</summary>
    public const string ExceptionStackTrace = "x-sluice-exception-stacktrace";

    /// <summary>How many attempts were made (an integer).</summary>
    public const string Attempts = "x-sluice-attempts";

    /// <summary>The pipeline's name.</summary>
    public const string Pipeline = "x-sluice-pipeline";

    /// <summary>The exchange the message was first published to.</summary>
    public const string OriginalExchange = "x-sluice-original-exchange";

    /// <summary>The routing key (partition key) the message was first published with.</summary>
    public const string OriginalRoutingKey = "x-sluice-original-routing-key";

    /// <summary>The partition queue the message was consumed from.</summary>
    public const string OriginalQueue = "x-sluice-original-queue";

    /// <summary>When the message was dead-lettered (ISO 8601, UTC).</summary>
    public const string Timestamp = "x-sluice-timestamp";

    /// <summary>The longest stack trace kept in <see cref="ExceptionStackTrace"/>, so that the headers fit in a frame.</summary>
    public const int MaxStackTraceLength = 16_000;
}
