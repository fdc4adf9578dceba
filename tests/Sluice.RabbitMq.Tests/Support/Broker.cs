using System.Diagnostics;
using RabbitMQ.Client;

namespace Sluice.RabbitMq.Tests.Support;

/// <summary>
/// The RabbitMQ broker the tests run against: SLUICE_RABBITMQ_URI (set by .ci/run, which starts a node of its own), else a
/// broker on the default local port. Under CI=true a missing broker fails the test; elsewhere the test is skipped with
/// the reason.
/// </summary>
internal static class Broker
{
    private static readonly Lazy<string?> s_unreachable = new(Probe);

    public static Uri Uri { get; } = new(Environment.GetEnvironmentVariable("SLUICE_RABBITMQ_URI") is { Length: > 0 } uri ? uri : "amqp://guest:guest@127.0.0.1:5672/");

    private static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips (locally) or fails (in CI) unless the broker is reachable.</summary>
    public static void Require()
    {
        if (s_unreachable.Value is { } reason)
        {
            if (InCi)
            {
                Assert.Fail($"CI=true but no RabbitMQ broker is reachable at {Redacted}: {reason}. .ci/run starts one (.ci/rabbitmq start).");
            }

            Skip.If(true, $"No RabbitMQ broker reachable at {Redacted} ({reason}); run `eval \"$(.ci/rabbitmq start)\"` first, or set SLUICE_RABBITMQ_URI.");
        }
    }

    /// <summary>Skips (locally) or fails (in CI) unless rabbitmqctl can reach the broker's node (to stop and start it).</summary>
    public static void RequireControl()
    {
        Require();
        if (Environment.GetEnvironmentVariable("SLUICE_RABBITMQ_NODE") is not { Length: > 0 })
        {
            if (InCi)
            {
                Assert.Fail("CI=true but SLUICE_RABBITMQ_NODE is not set: .ci/run exports it when it starts the broker.");
            }

            Skip.If(true, "SLUICE_RABBITMQ_NODE is not set, so the broker cannot be restarted; run `eval \"$(.ci/rabbitmq start)\"` first.");
        }
    }

    public static ConnectionFactory Factory() => new() { Uri = Uri, RequestedConnectionTimeout = TimeSpan.FromSeconds(5) };

    public static RabbitMqTopology NewTopology(int partitions) => new("sluice-test-" + Guid.NewGuid().ToString("N")[..12], partitions);

    /// <summary>Runs rabbitmqctl against the broker's node and returns its output.</summary>
    public static async Task<string> ControlAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("SLUICE_RABBITMQCTL") is { Length: > 0 } ctl ? ctl : "rabbitmqctl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-n");
        info.ArgumentList.Add(Environment.GetEnvironmentVariable("SLUICE_RABBITMQ_NODE")!);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(process.ExitCode == 0, $"rabbitmqctl {string.Join(' ', arguments)} failed: {await errors}");
        return await output;
    }

    /// <summary>Deletes the topology's exchanges and queues.</summary>
    public static async Task DeleteAsync(RabbitMqTopology topology)
    {
        if (s_unreachable.Value is not null)
        {
            return;
        }

        await using var connection = await Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        for (var partition = 0; partition < topology.Partitions; partition++)
        {
            await channel.QueueDeleteAsync(topology.Queue(partition));
        }

        await channel.QueueDeleteAsync(topology.DeadLetterQueue);
        await channel.ExchangeDeleteAsync(topology.Exchange);
        await channel.ExchangeDeleteAsync(topology.DeadLetterExchange);
    }

    /// <summary>The number of ready messages in a queue (unacknowledged ones not included).</summary>
    public static async Task<uint> ReadyAsync(string queue)
    {
        await using var connection = await Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var ok = await channel.QueueDeclarePassiveAsync(queue);
        return ok.MessageCount;
    }

    /// <summary>Takes every message out of a queue (acknowledging them).</summary>
    public static async Task<List<BasicGetResult>> DrainAsync(string queue)
    {
        await using var connection = await Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var messages = new List<BasicGetResult>();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
        {
            messages.Add(message);
        }

        return messages;
    }

    private static string Redacted => $"{Uri.Host}:{Uri.Port}";

    private static string? Probe()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var connection = Factory().CreateConnectionAsync(timeout.Token).GetAwaiter().GetResult();
            return null;
        }
        catch (Exception e)
        {
            return e.GetType().Name + ": " + e.Message;
        }
    }
}
