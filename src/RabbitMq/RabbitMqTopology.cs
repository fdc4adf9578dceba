using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;

namespace Sluice.RabbitMq;

/// <summary>
/// The partitioned topology of one pipeline on RabbitMQ, all durable: a consistent-hash exchange <see cref="Exchange"/>
/// that routes each message by its routing key (the record's partition key) to one of <see cref="Partitions"/> queues
/// <c>{name}.p0</c> ... <c>{name}.p{N-1}</c>, each with a single active consumer, and a dead-letter exchange
/// <see cref="DeadLetterExchange"/> (fanout) bound to the queue <see cref="DeadLetterQueue"/>.
/// </summary>
/// <remarks>
/// The same key always reaches the same queue while the number of partitions stays the same; changing it moves some keys
/// to other queues, so drain the queues first. Messages rejected by a partition queue also go to the dead-letter exchange.
/// </remarks>
public sealed class RabbitMqTopology
{
    /// <summary>The number of partition queues used when none is given.</summary>
    public const int DefaultPartitions = 4;

    /// <summary>The largest number of partition queues accepted.</summary>
    public const int MaxPartitions = 1024;

    /// <summary>Initializes a new instance of the <see cref="RabbitMqTopology"/> class.</summary>
    /// <param name="name">The pipeline's name, the prefix of every exchange and queue: letters, digits, '.', '-' and '_'.</param>
    /// <param name="partitions">How many partition queues: 1 to <see cref="MaxPartitions"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or has other characters.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="partitions"/> is outside 1 to <see cref="MaxPartitions"/>.</exception>
    public RabbitMqTopology(string name, int partitions = DefaultPartitions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '-' or '_'))
            {
                throw new ArgumentException($"The topology name '{name}' may only hold ASCII letters, digits, '.', '-' and '_'.", nameof(name));
            }
        }

        if (name.Length > 200)
        {
            throw new ArgumentException("The topology name is longer than 200 characters.", nameof(name));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partitions, MaxPartitions);
        Name = name;
        Partitions = partitions;
    }

    /// <summary>Gets the pipeline's name.</summary>
    public string Name { get; }

    /// <summary>Gets the number of partition queues.</summary>
    public int Partitions { get; }

    /// <summary>Gets the name of the consistent-hash exchange producers publish to: the pipeline's name.</summary>
    public string Exchange => Name;

    /// <summary>Gets the name of the dead-letter exchange: <c>{name}.dlx</c>.</summary>
    public string DeadLetterExchange => Name + ".dlx";

    /// <summary>Gets the name of the dead-letter queue: <c>{name}.dlq</c>.</summary>
    public string DeadLetterQueue => Name + ".dlq";

    /// <summary>Gets the name of a partition queue: <c>{name}.p{partition}</c>.</summary>
    /// <param name="partition">0 to <see cref="Partitions"/> - 1.</param>
    /// <returns>The queue name.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="partition"/> is outside the partitions.</exception>
    public string Queue(int partition)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(partition, Partitions);
        return Name + ".p" + partition.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Declares the exchanges, queues and bindings (idempotent: declaring them again with the same settings does nothing).
    /// Needs the broker's <c>rabbitmq_consistent_hash_exchange</c> plugin.
    /// </summary>
    /// <param name="channel">An open channel.</param>
    /// <param name="cancellationToken">Cancels the declarations.</param>
    /// <returns>A task that completes when everything is declared.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="channel"/> is <see langword="null"/>.</exception>
    public async Task DeclareAsync(IChannel channel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        await channel.ExchangeDeclareAsync(DeadLetterExchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueDeclareAsync(DeadLetterQueue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueBindAsync(DeadLetterQueue, DeadLetterExchange, routingKey: string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);

        await channel.ExchangeDeclareAsync(Exchange, "x-consistent-hash", durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        for (var partition = 0; partition < Partitions; partition++)
        {
            var arguments = new Dictionary<string, object?>
            {
                // One consumer at a time per queue, across every worker process: per-key order holds.
                ["x-single-active-consumer"] = true,
                ["x-dead-letter-exchange"] = DeadLetterExchange,
            };
            var queue = Queue(partition);
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: cancellationToken).ConfigureAwait(false);

            // The binding key of a consistent-hash exchange is the queue's weight: equal weights, equal shares of the keys.
            await channel.QueueBindAsync(queue, Exchange, routingKey: "1", cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }
}
