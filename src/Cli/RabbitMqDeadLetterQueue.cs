using System.Collections;
using System.Globalization;
using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Sluice.RabbitMq;

namespace Sluice.Cli;

/// <summary>
/// A topology's dead-letter queue, read without consuming it: every message is taken with <c>basic.get</c> and no
/// acknowledgement, so the broker holds it for this connection; what the command does not remove is requeued at the end
/// (in its place: classic queues put a requeued message back where it was), and a connection that dies requeues it too.
/// </summary>
/// <remarks>
/// A scan looks at most at the messages that were in the queue when it started, so a message dead-lettered again while a
/// replay runs (its worker still failing) is not replayed twice by the same command.
/// </remarks>
internal sealed class RabbitMqDeadLetterQueue : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private IChannel? _publisher;

    private RabbitMqDeadLetterQueue(IConnection connection, IChannel channel, string queue, uint count)
    {
        _connection = connection;
        _channel = channel;
        Queue = queue;
        Count = count;
    }

    /// <summary>Gets the queue's name.</summary>
    public string Queue { get; }

    /// <summary>Gets how many messages were ready in the queue when it was opened.</summary>
    public uint Count { get; }

    public static async Task<RabbitMqDeadLetterQueue> OpenAsync(RabbitMqAddress address, string queue, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            Uri = address.Uri,
            ClientProvidedName = "sluice-cli",
            RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
        };
        IConnection connection;
        try
        {
            connection = await factory.CreateConnectionAsync(cancellationToken);
        }
        catch (BrokerUnreachableException e)
        {
            throw new OperatorException(
                $"cannot connect to RabbitMQ at {address}: {address.Scrub(Innermost(e).Message)}",
                $"Check the address and credentials given to --rabbitmq (or {RabbitMqAddress.Variable}) and that the broker runs.");
        }

        try
        {
            var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            QueueDeclareOk ok;
            try
            {
                ok = await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
            }
            catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == Constants.NotFound)
            {
                throw new OperatorException(
                    $"no queue '{queue}' on RabbitMQ at {address}.",
                    "Check --topology: it is the name given to RabbitMqTopology, whose dead-letter queue is <name>.dlq (rabbitmqctl list_queues name shows them).");
            }

            return new RabbitMqDeadLetterQueue(connection, channel, queue, ok.MessageCount);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Takes the queue's messages, oldest first, without acknowledging them: each stays in the queue until
    /// <see cref="RemoveAsync"/> or is requeued by <see cref="RequeueAsync"/> (or when the connection closes).
    /// </summary>
    public async IAsyncEnumerable<RabbitMqDeadLetter> ScanAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var taken = 0u; taken < Count; taken++)
        {
            if (await _channel.BasicGetAsync(Queue, autoAck: false, cancellationToken) is not { } result)
            {
                yield break;
            }

            yield return RabbitMqDeadLetter.From(result);
        }
    }

    /// <summary>Removes a message taken by <see cref="ScanAsync"/> from the queue for good.</summary>
    public Task RemoveAsync(RabbitMqDeadLetter letter, CancellationToken cancellationToken)
        => _channel.BasicAckAsync(letter.DeliveryTag, multiple: false, cancellationToken).AsTask();

    /// <summary>Puts every message taken and not removed back into the queue.</summary>
    public Task RequeueAsync()
        => _channel.IsOpen ? _channel.BasicNackAsync(0, multiple: true, requeue: true, CancellationToken.None).AsTask() : Task.CompletedTask;

    /// <summary>
    /// Publishes <paramref name="letter"/> again to its original exchange and routing key, persistent, and waits for the
    /// broker's confirm; the error headers are left out, the other properties and headers kept.
    /// </summary>
    /// <exception cref="PublishException">The broker did not confirm it, or could not route it (<see cref="PublishException.IsReturn"/>).</exception>
    public async Task RepublishAsync(RabbitMqDeadLetter letter, CancellationToken cancellationToken)
    {
        _publisher ??= await _connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            cancellationToken);
        var properties = new BasicProperties(letter.Properties)
        {
            DeliveryMode = DeliveryModes.Persistent,
            Headers = letter.KeptHeaders(),
        };
        await _publisher.BasicPublishAsync(letter.OriginalExchange!, letter.OriginalRoutingKey ?? string.Empty, mandatory: true, properties, letter.Body, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RequeueAsync();
            await _connection.CloseAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException)
        {
            // Gone already: the broker requeued what this connection held.
        }
        finally
        {
            await _connection.DisposeAsync();
        }
    }

    internal static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is { } inner)
        {
            exception = inner;
        }

        return exception;
    }
}

/// <summary>One message of a dead-letter queue, its error read from the <see cref="DeadLetterHeaders"/>.</summary>
internal sealed class RabbitMqDeadLetter
{
    private static readonly UTF8Encoding s_strictUtf8 = new(false, throwOnInvalidBytes: true);

    private RabbitMqDeadLetter(BasicGetResult result)
    {
        DeliveryTag = result.DeliveryTag;
        Properties = result.BasicProperties;
        Body = result.Body.ToArray();
        RoutingKey = result.RoutingKey;
        Headers = result.BasicProperties.Headers is { } headers ? new Dictionary<string, object?>(headers) : [];
    }

    public ulong DeliveryTag { get; }

    public IReadOnlyBasicProperties Properties { get; }

    public byte[] Body { get; }

    /// <summary>Gets the routing key the message reached the dead-letter queue with (the dead-letter exchange keeps the original one).</summary>
    public string RoutingKey { get; }

    public IReadOnlyDictionary<string, object?> Headers { get; }

    public string? MessageId => Properties.MessageId;

    public string? Pipeline => Text(DeadLetterHeaders.Pipeline);

    /// <summary>Gets the exception type, or for a message the broker dead-lettered (rejected, expired) the broker's reason.</summary>
    public string? ErrorType => Text(DeadLetterHeaders.ExceptionType) ?? (Text("x-first-death-reason") is { } reason ? "broker: " + reason : null);

    public string? ErrorMessage => Text(DeadLetterHeaders.ExceptionMessage);

    public string? StackTrace => Text(DeadLetterHeaders.ExceptionStackTrace);

    public long? Attempts => Headers.TryGetValue(DeadLetterHeaders.Attempts, out var value) && value is int or long or short or byte
        ? Convert.ToInt64(value, CultureInfo.InvariantCulture)
        : null;

    /// <summary>Gets the exchange to replay to: the one the worker recorded, else the one the broker recorded when it dead-lettered the message.</summary>
    public string? OriginalExchange => Text(DeadLetterHeaders.OriginalExchange) ?? Text("x-first-death-exchange");

    public string? OriginalRoutingKey => Text(DeadLetterHeaders.OriginalRoutingKey) ?? RoutingKey;

    public string? OriginalQueue => Text(DeadLetterHeaders.OriginalQueue) ?? Text("x-first-death-queue");

    public string? Timestamp => Text(DeadLetterHeaders.Timestamp);

    /// <summary>Gets the body as text when it is UTF-8, else <see langword="null"/>.</summary>
    public string? BodyText
    {
        get
        {
            try
            {
                return s_strictUtf8.GetString(Body);
            }
            catch (DecoderFallbackException)
            {
                return null;
            }
        }
    }

    public static RabbitMqDeadLetter From(BasicGetResult result) => new(result);

    /// <summary>Whether the exception type is <paramref name="type"/>, given in full or by its short name.</summary>
    public bool HasErrorType(string type)
        => ErrorType is { } actual && (string.Equals(actual, type, StringComparison.Ordinal) || actual.EndsWith("." + type, StringComparison.Ordinal));

    /// <summary>The headers a replayed message keeps: the original ones, without the error the worker or the broker added.</summary>
    public Dictionary<string, object?> KeptHeaders()
    {
        var kept = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in Headers)
        {
            if (!name.StartsWith("x-sluice-", StringComparison.Ordinal) && name is not ("x-death" or "x-first-death-reason" or "x-first-death-queue"
                or "x-first-death-exchange" or "x-last-death-reason" or "x-last-death-queue" or "x-last-death-exchange"))
            {
                kept[name] = value;
            }
        }

        return kept;
    }

    /// <summary>A header's value as text (AMQP strings arrive as bytes).</summary>
    public string? Text(string header) => Headers.TryGetValue(header, out var value) && value is not null ? Format(value) : null;

    public static string Format(object? value) => value switch
    {
        null => "",
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string text => text,
        AmqpTimestamp time => DateTimeOffset.FromUnixTimeSeconds(time.UnixTime).UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        IDictionary table => "{" + string.Join(", ", table.Keys.Cast<object>().Select(k => $"{k}: {Format(table[k])}")) + "}",
        IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Format)) + "]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

/// <summary>The broker's address from <c>--rabbitmq</c> or <c>SLUICE_RABBITMQ</c>; shown to the operator without its password.</summary>
internal sealed class RabbitMqAddress
{
    public const string Variable = "SLUICE_RABBITMQ";

    private readonly string? _password;

    private RabbitMqAddress(Uri uri)
    {
        Uri = uri;
        var user = uri.UserInfo.Split(':', 2);
        _password = user.Length == 2 && user[1].Length > 0 ? Uri.UnescapeDataString(user[1]) : null;
        var userName = user[0].Length > 0 ? Uri.UnescapeDataString(user[0]) + "@" : "";
        Display = $"{uri.Scheme}://{userName}{uri.Host}:{(uri.IsDefaultPort ? (uri.Scheme == "amqps" ? 5671 : 5672) : uri.Port)}{uri.AbsolutePath}";
    }

    public Uri Uri { get; }

    private string Display { get; }

    public static RabbitMqAddress Parse(string? given)
    {
        var text = given ?? Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new OperatorException("no RabbitMQ broker given.", $"Pass --rabbitmq amqp://user:password@host:5672/ or set {Variable} (safer: the password stays out of the shell history).");
        }

        // The value may hold a password: the error never repeats it.
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps") || uri.Host.Length == 0)
        {
            throw new OperatorException(
                $"the RabbitMQ address given by {(given is null ? Variable : "--rabbitmq")} is not an amqp:// or amqps:// URI.",
                "Give it as amqp://user:password@host:5672/vhost (the vhost '/' is written as a trailing '/').");
        }

        return new RabbitMqAddress(uri);
    }

    /// <summary>Removes the password from a text that may quote it (an exception message).</summary>
    public string Scrub(string text) => _password is { Length: > 0 } password ? text.Replace(password, "***", StringComparison.Ordinal) : text;

    public override string ToString() => Display;
}
