using System;

namespace Sluice.RabbitMq;

/// <summary>How a <see cref="RabbitMqPublisher{T}"/> turns records into messages and how many it keeps in flight.</summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class RabbitMqPublisherOptions<T>
{
    /// <summary>The default of <see cref="MaxOutstandingConfirms"/>.</summary>
    public const int DefaultMaxOutstandingConfirms = 256;

    /// <summary>
    /// Gets the record's partition key, used as the routing key: records with the same key reach the same partition
    /// queue, and so are processed in publishing order. Required.
    /// </summary>
    public required Func<T, string> PartitionKey { get; init; }

    /// <summary>
    /// Gets the record's message id, the idempotency key of the workers: deterministic, so that a record published again
    /// (after a lost confirm) or delivered again (after a worker crash) is recognised. Required.
    /// </summary>
    public required Func<T, string> MessageId { get; init; }

    /// <summary>Gets the serializer of the message body. Required.</summary>
    public required Func<T, byte[]> Serialize { get; init; }

    /// <summary>Gets the body's content type.</summary>
    /// <value>The default is <c>application/json</c>.</value>
    public string ContentType { get; init; } = "application/json";

    /// <summary>
    /// Gets how many messages may wait for the broker's confirm at once; publishing waits for a free slot beyond it
    /// (backpressure), so memory stays bounded however fast records come.
    /// </summary>
    /// <value>The default is <see cref="DefaultMaxOutstandingConfirms"/>. Allowed: 1 to 65,535.</value>
    public int MaxOutstandingConfirms { get; init; } = DefaultMaxOutstandingConfirms;

    /// <summary>Gets how long one attempt waits for its confirm before the connection is deemed lost and the message is published again.</summary>
    /// <value>The default is 30 seconds. Allowed: 100 ms to 1 hour.</value>
    public TimeSpan ConfirmTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets how long a message is retried in all (reconnecting with backoff while the broker is unreachable) before its
    /// publishing fails for good.
    /// </summary>
    /// <value>The default is 5 minutes. Allowed: 1 second to 24 hours.</value>
    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromMinutes(5);
}
