using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Sluice.RabbitMq;

/// <summary>
/// The worker side of a <see cref="RabbitMqTopology"/>: consumes its partition queues with manual acknowledgements and
/// yields their messages to a pipeline (see <see cref="SluiceRabbitMq.FromRabbitMq(RabbitMqSource)"/>), which acknowledges
/// each one only once it succeeded or was dead-lettered.
/// </summary>
/// <remarks>
/// <para>
/// Each partition queue has a single active consumer among all workers, so the records of a key are processed one at a
/// time, in publishing order, across processes. At most <see cref="RabbitMqSourceOptions.Prefetch"/> messages per queue
/// are unacknowledged at once.
/// </para>
/// <para>
/// When the connection is lost the source reconnects with backoff (the connection factory's automatic recovery is turned
/// off): messages received on the lost connection and not yet handed to the pipeline are dropped, records in flight
/// finish but are not acknowledged, and the broker delivers all of them again; a record is therefore processed at least
/// once and handlers must be idempotent by <see cref="RabbitMqMessage.MessageId"/>. Disposing the source closes the
/// connection, so the broker delivers every unacknowledged message again to another consumer.
/// </para>
/// </remarks>
public sealed class RabbitMqSource : IAsyncEnumerable<RabbitMqMessage>, IAsyncDisposable
{
    private readonly ConnectionFactory _factory;
    private readonly RabbitMqSourceOptions _options;
    private readonly Channel<RabbitMqMessage> _buffer = Channel.CreateUnbounded<RabbitMqMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, RabbitMqMessage> _inFlight = new();
    private readonly CancellationTokenSource _stop = new();
    private Session? _session;
    private Task? _maintenance;
    private int _started;
    private long _delivered;
    private long _acknowledged;
    private long _reconnections;
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="RabbitMqSource"/> class; it connects when a pipeline starts reading it.</summary>
    /// <param name="factory">The broker's connection settings; its automatic recovery is turned off.</param>
    /// <param name="topology">The topology to consume; declared on every (re)connection.</param>
    /// <param name="options">Settings; <see langword="null"/> uses the documented defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> or <paramref name="topology"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its allowed range, or a preferred partition is not in the topology.</exception>
    public RabbitMqSource(ConnectionFactory factory, RabbitMqTopology topology, RabbitMqSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        options ??= new RabbitMqSourceOptions();
        ArgumentOutOfRangeException.ThrowIfZero(options.Prefetch, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.StandbyDelay, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.StandbyDelay, TimeSpan.FromMinutes(10), nameof(options));
        foreach (var partition in options.PreferredPartitions ?? [])
        {
            if (partition < 0 || partition >= topology.Partitions)
            {
                throw new ArgumentOutOfRangeException(nameof(options), partition, $"Preferred partition {partition} is not one of the topology's {topology.Partitions}.");
            }
        }

        _factory = Connections.Prepare(factory);
        Topology = topology;
        _options = options;
        DeadLetterSink = options.DeadLetterSink ?? new DeadLetterExchangeSink(this);
    }

    /// <summary>Gets the topology consumed.</summary>
    public RabbitMqTopology Topology { get; }

    /// <summary>Gets how many messages were received (redeliveries included).</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Gets how many messages were acknowledged.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Gets how many times the source reconnected after losing its connection.</summary>
    public long Reconnections => Interlocked.Read(ref _reconnections);

    internal IDeadLetterSink DeadLetterSink { get; }

    /// <summary>Reads the messages. A source is read by one pipeline run, once.</summary>
    /// <param name="cancellationToken">Stops the reading; the subscriptions are canceled, the connection stays open for the acknowledgements until the source is disposed.</param>
    /// <returns>The enumerator.</returns>
    /// <exception cref="InvalidOperationException">The source is already being read.</exception>
    /// <exception cref="ObjectDisposedException">The source is disposed.</exception>
    public IAsyncEnumerator<RabbitMqMessage> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("A RabbitMqSource is read by one pipeline run, once: create another source for another run.");
        }

        return ReadAsync(cancellationToken);
    }

    /// <summary>Stops consuming and closes the connection: the broker delivers every unacknowledged message again.</summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_maintenance is { } maintenance)
        {
            try
            {
                await maintenance.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        if (Interlocked.Exchange(ref _session, null) is { } session)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    internal static string SerializePayload(RabbitMqMessage message)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("messageId", message.MessageId);
            writer.WriteString("exchange", message.Exchange);
            writer.WriteString("routingKey", message.RoutingKey);
            writer.WriteString("queue", message.Queue);
            writer.WriteString("contentType", message.ContentType);
            var text = TryDecodeUtf8(message.Body.Span);
            writer.WriteString("bodyEncoding", text is null ? "base64" : "utf-8");
            if (text is null)
            {
                writer.WriteBase64String("body", message.Body.Span);
            }
            else
            {
                writer.WriteString("body", text);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    internal async ValueTask AcknowledgeAsync(IReadOnlyList<RabbitMqMessage> messages, CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            _inFlight.TryRemove(message.Position, out _);
            if (message.Session.Closed || message.Session.Channels[message.Partition] is not { IsOpen: true } channel)
            {
                // Its channel is gone: the broker delivers it again (and the handler recognises it by its message id).
                continue;
            }

            try
            {
                await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _acknowledged);
            }
            catch (Exception e) when (Connections.IsConnectionFailure(e))
            {
                message.Session.MarkClosed();
            }
        }
    }

    internal RabbitMqMessage? InFlight(long position) => _inFlight.TryGetValue(position, out var message) ? message : null;

    private static string? TryDecodeUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private async IAsyncEnumerator<RabbitMqMessage> ReadAsync(CancellationToken cancellationToken)
    {
        // The first connection fails the run when it cannot be made (wrong address, credentials, missing plugin...);
        // later ones are retried, since the broker was there.
        var first = await OpenAsync(_stop.Token).ConfigureAwait(false);
        Volatile.Write(ref _session, first);
        _maintenance = Task.Run(() => MaintainAsync(first, _stop.Token), CancellationToken.None);
        long position = 0;
        try
        {
            while (await _buffer.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (_buffer.Reader.TryRead(out var message))
                {
                    if (message.Session.Closed)
                    {
                        // Received on a lost connection: the broker delivers it again on the new one.
                        continue;
                    }

                    message.Position = position++;
                    _inFlight[message.Position] = message;
                    yield return message;
                }
            }
        }
        finally
        {
            // No more deliveries; the records in flight are still acknowledged on the open connection.
            if (Volatile.Read(ref _session) is { } session)
            {
                await session.CancelConsumersAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task MaintainAsync(Session session, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await session.ClosedTask.WaitAsync(stop).ConfigureAwait(false);
            Interlocked.CompareExchange(ref _session, null, session);
            await session.DisposeAsync().ConfigureAwait(false);
            for (var attempt = 0; ; attempt++)
            {
                await Task.Delay(Connections.Backoff(attempt), stop).ConfigureAwait(false);
                try
                {
                    session = await OpenAsync(stop).ConfigureAwait(false);
                    break;
                }
                catch (Exception e) when (!stop.IsCancellationRequested && Connections.IsConnectionFailure(e))
                {
                    // The broker is still away; try again.
                }
            }

            Volatile.Write(ref _session, session);
            Interlocked.Increment(ref _reconnections);
        }
    }

    private async Task<Session> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await _factory.CreateConnectionAsync("sluice-worker:" + Topology.Name, cancellationToken).ConfigureAwait(false);
        var session = new Session(connection, Topology.Partitions);
        try
        {
            session.Publisher = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true, outstandingPublisherConfirmationsRateLimiter: null),
                cancellationToken).ConfigureAwait(false);
            await Topology.DeclareAsync(session.Publisher, cancellationToken).ConfigureAwait(false);
            connection.ConnectionShutdownAsync += (_, _) =>
            {
                session.MarkClosed();
                return Task.CompletedTask;
            };

            var preferred = _options.PreferredPartitions is { } chosen ? chosen.ToHashSet() : null;
            for (var partition = 0; partition < Topology.Partitions; partition++)
            {
                if (preferred is null || preferred.Contains(partition))
                {
                    await SubscribeAsync(session, partition, cancellationToken).ConfigureAwait(false);
                }
            }

            if (preferred is not null && preferred.Count < Topology.Partitions)
            {
                _ = SubscribeStandbyAsync(session, preferred, cancellationToken);
            }

            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task SubscribeStandbyAsync(Session session, HashSet<int> preferred, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(_options.StandbyDelay, cancellationToken).ConfigureAwait(false);
            for (var partition = 0; partition < Topology.Partitions && !session.Closed && !session.ConsumersCanceled; partition++)
            {
                if (!preferred.Contains(partition))
                {
                    await SubscribeAsync(session, partition, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException || Connections.IsConnectionFailure(e))
        {
            // Stopping, or the connection is gone and the next one subscribes again.
            session.MarkClosed();
        }
    }

    private async Task SubscribeAsync(Session session, int partition, CancellationToken cancellationToken)
    {
        var channel = await session.Connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        session.Channels[partition] = channel;
        channel.ChannelShutdownAsync += (_, _) =>
        {
            // A channel closed by the broker (an error) ends the whole session: a new one starts cleanly.
            session.MarkClosed();
            return Task.CompletedTask;
        };
        await channel.BasicQosAsync(prefetchSize: 0, _options.Prefetch, global: false, cancellationToken).ConfigureAwait(false);
        var queue = Topology.Queue(partition);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            var properties = delivery.BasicProperties;
            var body = delivery.Body.ToArray();
            var message = new RabbitMqMessage(session, partition, delivery.DeliveryTag)
            {
                MessageId = properties.MessageId is { Length: > 0 } id ? id : "sha256:" + Convert.ToHexString(SHA256.HashData(body)).ToLowerInvariant(),
                RoutingKey = delivery.RoutingKey,
                Exchange = delivery.Exchange,
                Queue = queue,
                Body = body,
                ContentType = properties.ContentType,
                Redelivered = delivery.Redelivered,
                Headers = properties.Headers is { Count: > 0 } headers ? new Dictionary<string, object?>(headers) : null,
            };
            Interlocked.Increment(ref _delivered);
            _buffer.Writer.TryWrite(message);
            return Task.CompletedTask;
        };
        var tag = await channel.BasicConsumeAsync(queue, autoAck: false, consumerTag: string.Empty, noLocal: false, exclusive: false, arguments: null, consumer, cancellationToken).ConfigureAwait(false);
        session.ConsumerTags[partition] = tag;
    }

    /// <summary>One connection: a channel per subscribed partition queue and a confirm channel for dead letters.</summary>
    internal sealed class Session(IConnection connection, int partitions) : IAsyncDisposable
    {
        private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _disposed;

        public IConnection Connection { get; } = connection;

        public IChannel?[] Channels { get; } = new IChannel?[partitions];

        public string?[] ConsumerTags { get; } = new string?[partitions];

        public IChannel? Publisher { get; set; }

        public bool Closed => _closed.Task.IsCompleted;

        public bool ConsumersCanceled { get; private set; }

        public Task ClosedTask => _closed.Task;

        public void MarkClosed() => _closed.TrySetResult();

        public async Task CancelConsumersAsync()
        {
            ConsumersCanceled = true;
            for (var i = 0; i < Channels.Length; i++)
            {
                if (Channels[i] is { IsOpen: true } channel && ConsumerTags[i] is { } tag)
                {
                    try
                    {
                        await channel.BasicCancelAsync(tag, noWait: false, CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (Exception e) when (Connections.IsConnectionFailure(e))
                    {
                        MarkClosed();
                    }
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            MarkClosed();
            try
            {
                await Connection.CloseAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (Exception e) when (Connections.IsConnectionFailure(e))
            {
                // Already gone.
            }
            finally
            {
                await Connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Publishes dead letters to the topology's dead-letter exchange, with the error in headers, and waits for the confirms.</summary>
    private sealed class DeadLetterExchangeSink(RabbitMqSource source) : IDeadLetterSink
    {
        private static readonly TimeSpan ConfirmTimeout = TimeSpan.FromSeconds(30);

        public async ValueTask WriteAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(deadLetters);
            foreach (var letter in deadLetters)
            {
                var message = (letter.Position is { } position ? source.InFlight(position) : null)
                    ?? throw new InvalidOperationException($"The dead letter at position {letter.Position} is not a message in flight of this source.");
                if (message.Session.Closed || message.Session.Publisher is not { IsOpen: true } publisher)
                {
                    // The message came on a lost connection: the broker delivers it again, and it is dead-lettered then.
                    continue;
                }

                var headers = message.Headers is { } original ? new Dictionary<string, object?>(original) : [];
                headers[DeadLetterHeaders.ExceptionType] = letter.ErrorType;
                headers[DeadLetterHeaders.ExceptionMessage] = letter.ErrorMessage;
                headers[DeadLetterHeaders.ExceptionStackTrace] = letter.StackTrace is { Length: > DeadLetterHeaders.MaxStackTraceLength } stack
                    ? stack[..DeadLetterHeaders.MaxStackTraceLength]
                    : letter.StackTrace ?? string.Empty;
                headers[DeadLetterHeaders.Attempts] = letter.Attempts;
                headers[DeadLetterHeaders.Pipeline] = letter.Pipeline ?? source.Topology.Name;
                headers[DeadLetterHeaders.OriginalExchange] = message.Exchange;
                headers[DeadLetterHeaders.OriginalRoutingKey] = message.RoutingKey;
                headers[DeadLetterHeaders.OriginalQueue] = message.Queue;
                headers[DeadLetterHeaders.Timestamp] = letter.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
                var properties = new BasicProperties
                {
                    MessageId = message.MessageId,
                    ContentType = message.ContentType,
                    DeliveryMode = DeliveryModes.Persistent,
                    Headers = headers,
                };

                using var timeout = new CancellationTokenSource(ConfirmTimeout);
                try
                {
                    await publisher.BasicPublishAsync(source.Topology.DeadLetterExchange, message.RoutingKey, mandatory: true, properties, message.Body, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (Connections.IsConnectionFailure(e) || (e is OperationCanceledException && timeout.IsCancellationRequested))
                {
                    // Not confirmed and the connection is gone: the message is not acknowledged either, so the broker
                    // delivers it again and it is dead-lettered then.
                    message.Session.MarkClosed();
                }
            }
        }
    }
}
