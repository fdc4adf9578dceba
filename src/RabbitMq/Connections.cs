using System;
using System.IO;
using System.Net.Sockets;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Sluice.RabbitMq;

internal static class Connections
{
    /// <summary>The longest wait between two reconnection attempts.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Turns the factory's automatic recovery off: Sluice reconnects itself, so that a delivery tag of a lost channel is
    /// never acknowledged on a new one and a message whose confirm was lost is published again.
    /// </summary>
    public static ConnectionFactory Prepare(ConnectionFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        factory.AutomaticRecoveryEnabled = false;
        factory.TopologyRecoveryEnabled = false;
        return factory;
    }

    /// <summary>Whether <paramref name="exception"/> means the connection or channel is gone, so that trying again on a new one may work.</summary>
    public static bool IsConnectionFailure(Exception exception) => exception switch
    {
        PublishException publish => !publish.IsReturn,
        AlreadyClosedException or OperationInterruptedException or BrokerUnreachableException or ConnectFailureException => true,
        IOException or SocketException or TimeoutException => true,
        _ => exception.InnerException is { } inner && IsConnectionFailure(inner),
    };

    public static TimeSpan Backoff(int attempt)
    {
        var milliseconds = Math.Min(MaxBackoff.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(attempt, 10)));
        return TimeSpan.FromMilliseconds(milliseconds * (0.5 + (Random.Shared.NextDouble() / 2)));
    }
}
