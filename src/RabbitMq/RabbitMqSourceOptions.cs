using System;
using System.Collections.Generic;

namespace Sluice.RabbitMq;

/// <summary>How a <see cref="RabbitMqSource"/> consumes its topology's partition queues.</summary>
public sealed class RabbitMqSourceOptions
{
    /// <summary>The default of <see cref="Prefetch"/>.</summary>
    public const ushort DefaultPrefetch = 100;

    /// <summary>
    /// Gets how many unacknowledged messages the broker sends to this worker per partition queue: the bound of the
    /// worker's memory and of the records in flight. A message is acknowledged once it succeeded or was dead-lettered.
    /// </summary>
    /// <value>The default is <see cref="DefaultPrefetch"/>. Allowed: 1 to 65,535.</value>
    public ushort Prefetch { get; init; } = DefaultPrefetch;

    /// <summary>
    /// Gets the partitions this worker subscribes to at once; it subscribes to the others after
    /// <see cref="StandbyDelay"/>, as a standby. Each partition queue has a single active consumer (the first subscribed),
    /// so giving each worker its share of partitions spreads the work; a standby takes a partition over when its active
    /// consumer goes away.
    /// </summary>
    /// <value>The default is <see langword="null"/>: every partition at once (the first worker started takes them all).</value>
    public IReadOnlyList<int>? PreferredPartitions { get; init; }

    /// <summary>Gets how long the worker waits before it subscribes to the partitions it does not prefer.</summary>
    /// <value>The default is 2 seconds. Allowed: zero to 10 minutes.</value>
    public TimeSpan StandbyDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Gets the sink of records that fail for good. <see langword="null"/> publishes them (with confirms) to the topology's
    /// dead-letter exchange, with the original body and properties and the error in the <see cref="DeadLetterHeaders"/>;
    /// a sink receives them as <see cref="DeadLetter"/>s whose payload holds the message id, routing key and body.
    /// </summary>
    /// <value>The default is <see langword="null"/>: the dead-letter exchange.</value>
    public IDeadLetterSink? DeadLetterSink { get; init; }
}
