using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;

namespace Sluice.RabbitMq;

/// <summary>
/// Publishes records to a <see cref="RabbitMqTopology"/>: persistent messages routed by partition key, each confirmed
/// by the broker, with at most <see cref="RabbitMqPublisherOptions{T}.MaxOutstandingConfirms"/> awaiting their confirm.
/// </summary>
/// <remarks>
/// Messages are sent one at a time in the order of the <see cref="PublishAsync(T, CancellationToken)"/> calls, so the
/// records of a key reach their queue in that order; only the waits for confirms overlap. A message counts as published
/// once the broker confirmed it (then it is on disk in a durable queue). When the connection is lost, a confirm is
/// negative or none comes within <see cref="RabbitMqPublisherOptions{T}.ConfirmTimeout"/>, the publisher reconnects with
/// backoff and publishes every unconfirmed message again, in order; a message may thus reach its queue twice, and workers
/// recognise it by its message id. The connection factory's automatic recovery is turned off, the publisher doing its
/// own. Not thread-safe: one producer loop per publisher.
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
public sealed class RabbitMqPublisher<T> : IAsyncDisposable
{
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(100);
    private readonly ConnectionFactory _factory;
    private readonly RabbitMqTopology _topology;
    private readonly RabbitMqPublisherOptions<T> _options;
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly object _gate = new();
    private readonly LinkedList<Pending> _unconfirmed = new();
    private ExceptionDispatchInfo? _failure;
    private IConnection? _connection;
    private IChannel? _channel;
    private int _generation;
    private bool _needsRecovery;
    private long _lastProgress = Stopwatch.GetTimestamp();
    private long _confirmed;
    private long _republished;
    private int _peakOutstanding;
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="RabbitMqPublisher{T}"/> class; it connects on first use.</summary>
    /// <param name="factory">The broker's connection settings; its automatic recovery is turned off.</param>
    /// <param name="topology">Where to publish; declared on every (re)connection.</param>
    /// <param name="options">How records become messages.</param>
    /// <exception cref="ArgumentNullException">An argument or a required option is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its allowed range.</exception>
    public RabbitMqPublisher(ConnectionFactory factory, RabbitMqTopology topology, RabbitMqPublisherOptions<T> options)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.PartitionKey, nameof(options));
        ArgumentNullException.ThrowIfNull(options.MessageId, nameof(options));
        ArgumentNullException.ThrowIfNull(options.Serialize, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxOutstandingConfirms, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxOutstandingConfirms, ushort.MaxValue, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ConfirmTimeout, TimeSpan.FromMilliseconds(100), nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.ConfirmTimeout, TimeSpan.FromHours(1), nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PublishTimeout, TimeSpan.FromSeconds(1), nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.PublishTimeout, TimeSpan.FromHours(24), nameof(options));
        _factory = Connections.Prepare(factory);
        _topology = topology;
        _options = options;
        _slots = new SemaphoreSlim(options.MaxOutstandingConfirms, options.MaxOutstandingConfirms);
    }

    /// <summary>Gets how many messages the broker has confirmed.</summary>
    public long Confirmed => Interlocked.Read(ref _confirmed);

    /// <summary>Gets how many messages were published again after a lost connection, a timeout or a negative confirm.</summary>
    public long Republished => Interlocked.Read(ref _republished);

    /// <summary>Gets the most messages that awaited their confirm at the same time.</summary>
    internal int PeakOutstanding => Volatile.Read(ref _peakOutstanding);

    /// <summary>
    /// Sends <paramref name="record"/>, waiting first for a free slot when
    /// <see cref="RabbitMqPublisherOptions{T}.MaxOutstandingConfirms"/> messages await their confirm (backpressure).
    /// The confirm itself is awaited by <see cref="FlushAsync(CancellationToken)"/>.
    /// </summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">Cancels the wait for a slot and the sending.</param>
    /// <returns>A task that completes when the message is sent.</returns>
    /// <exception cref="ObjectDisposedException">The publisher is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="Exception">Publishing failed for good (the broker stayed unreachable past the publish timeout, or a message could not be routed).</exception>
    public async ValueTask PublishAsync(T record, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _failure?.Throw();
        var body = _options.Serialize(record);
        var key = _options.PartitionKey(record) ?? string.Empty;
        var id = _options.MessageId(record);
        ArgumentException.ThrowIfNullOrEmpty(id, nameof(record));

        while (!await _slots.WaitAsync(s_poll, cancellationToken).ConfigureAwait(false))
        {
            // Every slot awaits a confirm: make sure one can still come.
            await RecoverIfStalledAsync(cancellationToken).ConfigureAwait(false);
        }

        await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var pending = new Pending(body, key, id);
            lock (_gate)
            {
                _unconfirmed.AddLast(pending);
                _peakOutstanding = Math.Max(_peakOutstanding, _unconfirmed.Count);
            }

            if (_needsRecovery || _channel is not { IsOpen: true })
            {
                // Republishes every unconfirmed message, this one included, in order.
                await RecoverAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                try
                {
                    await SendAsync(_channel, pending, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (Connections.IsConnectionFailure(e) && !cancellationToken.IsCancellationRequested)
                {
                    await RecoverAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>Waits until every message sent so far is confirmed, republishing them if the connection is lost.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when they are all confirmed.</returns>
    /// <exception cref="Exception">Publishing failed for good.</exception>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            _failure?.Throw();
            lock (_gate)
            {
                if (_unconfirmed.Count == 0)
                {
                    return;
                }
            }

            await RecoverIfStalledAsync(cancellationToken).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Publishes every record of <paramref name="records"/> and waits for all confirms.</summary>
    /// <param name="records">The records, in order.</param>
    /// <param name="cancellationToken">Cancels the publishing.</param>
    /// <returns>How many records were published and confirmed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> is <see langword="null"/>.</exception>
    public async Task<long> PublishAllAsync(IEnumerable<T> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        long count = 0;
        foreach (var record in records)
        {
            await PublishAsync(record, cancellationToken).ConfigureAwait(false);
            count++;
        }

        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }

    /// <summary>Closes the connection; messages not confirmed by then may or may not have reached their queue (call <see cref="FlushAsync(CancellationToken)"/> first).</summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await CloseAsync().ConfigureAwait(false);
        _slots.Dispose();
        _sendGate.Dispose();
    }

    private async ValueTask RecoverIfStalledAsync(CancellationToken cancellationToken)
    {
        _failure?.Throw();
        bool stalled;
        lock (_gate)
        {
            stalled = _unconfirmed.Count > 0
                && (_needsRecovery || _channel is not { IsOpen: true } || Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastProgress)) > _options.ConfirmTimeout);
        }

        if (!stalled)
        {
            return;
        }

        await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RecoverAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>Under the send gate: a new connection, then every unconfirmed message sent again in order.</summary>
    private async ValueTask RecoverAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var channel = await ReconnectAsync(cancellationToken).ConfigureAwait(false);
                Pending[] resend;
                lock (_gate)
                {
                    resend = [.. _unconfirmed];
                    _needsRecovery = false;
                }

                foreach (var pending in resend)
                {
                    if (pending.Sent)
                    {
                        Interlocked.Increment(ref _republished);
                    }

                    await SendAsync(channel, pending, cancellationToken).ConfigureAwait(false);
                }

                Interlocked.Exchange(ref _lastProgress, Stopwatch.GetTimestamp());
                return;
            }
            catch (Exception e) when (Connections.IsConnectionFailure(e) && !cancellationToken.IsCancellationRequested)
            {
                if (Stopwatch.GetElapsedTime(started) > _options.PublishTimeout)
                {
                    _failure ??= ExceptionDispatchInfo.Capture(e);
                    throw;
                }

                await Task.Delay(Connections.Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask SendAsync(IChannel channel, Pending pending, CancellationToken cancellationToken)
    {
        var properties = new BasicProperties
        {
            MessageId = pending.Id,
            ContentType = _options.ContentType,
            DeliveryMode = DeliveryModes.Persistent,
        };
        var generation = Volatile.Read(ref _generation);
        var sequence = await channel.GetNextPublishSequenceNumberAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            pending.Sequence = sequence;
            pending.Generation = generation;
            pending.Sent = true;
        }

        await channel.BasicPublishAsync(_topology.Exchange, pending.Key, mandatory: true, properties, pending.Body, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<IChannel> ReconnectAsync(CancellationToken cancellationToken)
    {
        await CloseAsync().ConfigureAwait(false);
        var connection = await _factory.CreateConnectionAsync("sluice-publisher:" + _topology.Name, cancellationToken).ConfigureAwait(false);
        try
        {
            var generation = Interlocked.Increment(ref _generation);

            // Confirms tracked here rather than by the client, so that sending stays in order while confirms overlap.
            var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: false, outstandingPublisherConfirmationsRateLimiter: null),
                cancellationToken).ConfigureAwait(false);
            channel.BasicAcksAsync += (_, e) =>
            {
                Confirm(generation, e.DeliveryTag, e.Multiple);
                return Task.CompletedTask;
            };
            channel.BasicNacksAsync += (_, _) =>
            {
                // The broker could not store a message: send the unconfirmed ones again.
                _needsRecovery = true;
                return Task.CompletedTask;
            };
            channel.BasicReturnAsync += (_, e) =>
            {
                _failure ??= ExceptionDispatchInfo.Capture(new InvalidOperationException(
                    $"A message with routing key '{e.RoutingKey}' could not be routed by exchange '{e.Exchange}' ({e.ReplyCode} {e.ReplyText}): is the topology intact?"));
                return Task.CompletedTask;
            };
            await _topology.DeclareAsync(channel, cancellationToken).ConfigureAwait(false);
            _connection = connection;
            _channel = channel;
            return channel;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void Confirm(int generation, ulong tag, bool multiple)
    {
        var released = 0;
        lock (_gate)
        {
            var node = _unconfirmed.First;
            while (node is not null)
            {
                var next = node.Next;
                var pending = node.Value;
                if (pending.Generation == generation && pending.Sent && (multiple ? pending.Sequence <= tag : pending.Sequence == tag))
                {
                    _unconfirmed.Remove(node);
                    released++;
                    if (!multiple)
                    {
                        break;
                    }
                }
                else if (multiple && pending.Generation == generation && pending.Sequence > tag)
                {
                    break;
                }

                node = next;
            }
        }

        if (released > 0)
        {
            Interlocked.Add(ref _confirmed, released);
            Interlocked.Exchange(ref _lastProgress, Stopwatch.GetTimestamp());
            if (!_disposed)
            {
                _slots.Release(released);
            }
        }
    }

    private async ValueTask CloseAsync()
    {
        var channel = _channel;
        var connection = _connection;
        _channel = null;
        _connection = null;
        if (connection is null)
        {
            return;
        }

        try
        {
            if (channel is not null)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }

            await connection.CloseAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (Connections.IsConnectionFailure(e))
        {
            // Already gone.
        }
        finally
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class Pending(byte[] body, string key, string id)
    {
        public byte[] Body { get; } = body;

        public string Key { get; } = key;

        public string Id { get; } = id;

        public ulong Sequence { get; set; }

        public int Generation { get; set; }

        public bool Sent { get; set; }
    }
}
