using System;
using System.Collections.Generic;

namespace Sluice.RabbitMq;

/// <summary>A message delivered by a <see cref="RabbitMqSource"/>: the record's body and where it came from.</summary>
public sealed class RabbitMqMessage
{
    internal RabbitMqMessage(RabbitMqSource.Session session, int partition, ulong deliveryTag)
    {
        Session = session;
        Partition = partition;
        DeliveryTag = deliveryTag;
    }

    /// <summary>
    /// Gets the message id, the idempotency key of the record: a message delivered again (after a crash or a lost
    /// acknowledgement) or published twice has the same one. Write results keyed by it. When the producer set none, it is
    /// <c>sha256:</c> followed by the hash of the body.
    /// </summary>
    public required string MessageId { get; init; }

    /// <summary>Gets the routing key the message was published with: the record's partition key.</summary>
    public required string RoutingKey { get; init; }

    /// <summary>Gets the exchange the message was published to.</summary>
    public required string Exchange { get; init; }

    /// <summary>Gets the partition queue the message was delivered from.</summary>
    public required string Queue { get; init; }

    /// <summary>Gets the partition (the queue's index in the topology).</summary>
    public int Partition { get; }

    /// <summary>Gets the message body.</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Gets the body's content type, if the producer set one.</summary>
    public string? ContentType { get; init; }

    /// <summary>Gets a value indicating whether the broker delivered the message before (to this or another consumer) without an acknowledgement.</summary>
    public bool Redelivered { get; init; }

    /// <summary>Gets the message headers, if any (string values arrive as UTF-8 byte arrays).</summary>
    public IReadOnlyDictionary<string, object?>? Headers { get; init; }

    internal RabbitMqSource.Session Session { get; }

    internal ulong DeliveryTag { get; }

    internal long Position { get; set; } = -1;
}
