using System;

namespace Sluice.RabbitMq;

/// <summary>Starts pipelines on RabbitMQ.</summary>
public static class SluiceRabbitMq
{
    /// <summary>
    /// Starts a pipeline that consumes <paramref name="source"/>: named after its topology, partitioned by routing key (so
    /// the records of a key stay in order within the worker), dead-lettering to the source's dead-letter sink (the
    /// dead-letter exchange unless <see cref="RabbitMqSourceOptions.DeadLetterSink"/> is set), and acknowledging each
    /// message once it succeeded or was dead-lettered. Add parallelism, resilience and a logger as for any pipeline;
    /// checkpoints cannot be added (the broker's acknowledgements are the progress).
    /// </summary>
    /// <param name="source">The source; dispose it after the run, which closes its connection.</param>
    /// <returns>A builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    public static SluicePipeline<RabbitMqMessage> FromRabbitMq(RabbitMqSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return SluicePipeline.From(source)
            .WithName(source.Topology.Name)
            .PartitionBy(static message => message.RoutingKey, StringComparer.Ordinal)
            .WithDeadLetters(source.DeadLetterSink, RabbitMqSource.SerializePayload)
            .OnRecordsCompleted(source.AcknowledgeAsync);
    }
}
