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
/// A message counts as published only once the broker confirmed it (then it is on disk in a durable queue). When the
/// connection is lost, the publisher reconnects with backoff and publishes every unconfirmed message again, so a message
/// may reach its queue twice: workers recognise it by its message id. The connection factory's automatic recovery is
/// turned off, the publisher doing its own. Not thread-safe: one producer loop per publisher.
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
public sealed class RabbitMqPublisher<T> : IAsyncDisposable
{
    private readonly ConnectionFactory _factory;
    private readonly RabbitMqTopology _topology;
    private readonly RabbitMqPublisherOptions<T> _options;
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private readonly object _failureGate = new();
    private readonly List<Task> _pending = [];
    private ExceptionDispatchInfo? _failure;
    private IConnection? _connection;
    private IChannel? _channel;
    private long _confirmed;
    private long _republished;
    private int _outstanding;
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

    /// <summary>Gets how many publish attempts were repeated after a lost connection, a timeout or a negative confirm.</summary>
    public long Republished => Interlocked.Read(ref _republished);

    /// <summary>Gets the most messages that awaited their confirm at the same time.</summary>
    internal int PeakOutstanding => Volatile.Read(ref _peakOutstanding);

    /// <summary>
    /// Starts publishing <paramref name="record"/>, waiting first for a free slot when
    /// <see cref="RabbitMqPublisherOptions{T}.MaxOutstandingConfirms"/> messages await their confirm (backpressure).
    /// The confirm itself is awaited by <see cref="FlushAsync(CancellationToken)"/>.
    /// </summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">Cancels the wait for a slot and the publishing.</param>
    /// <returns>A task that completes when the message is handed to the broker's connection.</returns>
    /// <exception cref="ObjectDisposedException">The publisher is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="Exception">An earlier message failed for good (its exception is rethrown).</exception>
    public async ValueTask PublishAsync(T record, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _failure?.Throw();
        var body = _options.Serialize(record);
        var key = _options.PartitionKey(record) ?? string.Empty;
        var id = _options.MessageId(record);
        ArgumentException.ThrowIfNullOrEmpty(id, nameof(record));

        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var outstanding = Interlocked.Increment(ref _outstanding);
        int peak;
        while (outstanding > (peak = Volatile.Read(ref _peakOutstanding)) && Interlocked.CompareExchange(ref _peakOutstanding, outstanding, peak) != peak)
        {
        }

        Task publishing;
        try
        {
            publishing = PublishOneAsync(body, key, id, cancellationToken);
        }
        catch
        {
            Interlocked.Decrement(ref _outstanding);
            _slots.Release();
            throw;
        }

        lock (_pending)
        {
            _pending.RemoveAll(static t => t.IsCompleted);
            _pending.Add(publishing);
        }
    }

    /// <summary>Waits until every message started so far is confirmed.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when they are all confirmed.</returns>
    /// <exception cref="Exception">A message failed for good (its exception is rethrown).</exception>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        Task[] pending;
        lock (_pending)
        {
            pending = [.. _pending];
            _pending.Clear();
        }

        await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
        _failure?.Throw();
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

    /// <summary>Waits for the outstanding confirms (their failures are not rethrown here) and closes the connection.</summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Task[] pending;
        lock (_pending)
        {
            pending = [.. _pending];
        }

        try
        {
            await Task.WhenAll(pending).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Failures were recorded for FlushAsync; disposing only releases the connection.
        }

        await CloseAsync().ConfigureAwait(false);
        _slots.Dispose();
        _connectGate.Dispose();
    }

    private async Task PublishOneAsync(byte[] body, string key, string id, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            var properties = new BasicProperties
            {
                MessageId = id,
                ContentType = _options.ContentType,
                DeliveryMode = DeliveryModes.Persistent,
            };
            var started = Stopwatch.GetTimestamp();
            for (var attempt = 0; ; attempt++)
            {
                IChannel? channel = null;
                try
                {
                    channel = await GetChannelAsync(cancellationToken).ConfigureAwait(false);
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(_options.ConfirmTimeout);
                    await channel.BasicPublishAsync(_topology.Exchange, key, mandatory: true, properties, body, timeout.Token).ConfigureAwait(false);
                    Interlocked.Increment(ref _confirmed);
                    return;
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested
                    && (Connections.IsConnectionFailure(e) || e is OperationCanceledException)
                    && Stopwatch.GetElapsedTime(started) < _options.PublishTimeout)
                {
                    // Lost connection, negative confirm or confirm timeout: publish again (the message id lets workers
                    // recognise a copy that did arrive) on a fresh connection.
                    Interlocked.Increment(ref _republished);
                    await InvalidateAsync(channel).ConfigureAwait(false);
                    await Task.Delay(Connections.Backoff(attempt), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e)
        {
            lock (_failureGate)
            {
                _failure ??= ExceptionDispatchInfo.Capture(e);
            }

            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _outstanding);
            _slots.Release();
        }
    }

    private async ValueTask<IChannel> GetChannelAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _channel) is { IsOpen: true } open)
        {
            return open;
        }

        await _connectGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_channel is { IsOpen: true } current)
            {
                return current;
            }

            await CloseAsync().ConfigureAwait(false);
            var connection = await _factory.CreateConnectionAsync("sluice-publisher:" + _topology.Name, cancellationToken).ConfigureAwait(false);
            try
            {
                // Confirms tracked by the client: each publish completes when the broker confirmed it.
                // No rate limiter of the client's: the slots above bound the outstanding confirms.
                var channel = await connection.CreateChannelAsync(
                    new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true, outstandingPublisherConfirmationsRateLimiter: null),
                    cancellationToken).ConfigureAwait(false);
                await _topology.DeclareAsync(channel, cancellationToken).ConfigureAwait(false);
                _connection = connection;
                Volatile.Write(ref _channel, channel);
                return channel;
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            _connectGate.Release();
        }
    }

    private async ValueTask InvalidateAsync(IChannel? failed)
    {
        await _connectGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (failed is not null && ReferenceEquals(failed, _channel))
            {
                await CloseAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _connectGate.Release();
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
}
