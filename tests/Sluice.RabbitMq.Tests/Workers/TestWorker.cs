using Polly;
using Sluice.RabbitMq.Tests.Support;

namespace Sluice.RabbitMq.Tests.Workers;

/// <summary>Which records fail, and how: poison records fail on every attempt, others fail transiently now and then.</summary>
internal sealed class Faults(double transientRate)
{
    public static Faults None { get; } = new(0);

    public bool PoisonEnabled { get; init; }

    public double TransientRate { get; } = transientRate;

    /// <summary>Gets how long each record of a batch takes besides its work, to slow a worker down.</summary>
    public TimeSpan RecordDelay { get; init; }

    /// <summary>Gets whether every record is poison (with <see cref="PoisonEnabled"/>), to fill a dead-letter queue.</summary>
    public bool AllPoison { get; init; }

    public bool IsPoison(int index) => PoisonEnabled && (AllPoison || index % 97 == 13);

    public void Inject(int index)
    {
        if (IsPoison(index))
        {
            throw new InvalidDataException($"record {index} is malformed");
        }

        if (TransientRate > 0 && Random.Shared.NextDouble() < TransientRate)
        {
            throw new TimeoutException($"record {index}: the store timed out");
        }
    }
}

/// <summary>The worker of the tests: consumes a topology into a <see cref="ResultStore"/>, in this process or a child one.</summary>
internal static class TestWorker
{
    public static ResiliencePipeline Resilience() => SluiceResilience.CreatePipeline(new SluiceResilienceOptions
    {
        BaseDelay = TimeSpan.Zero,
        MaxDelay = TimeSpan.Zero,
        EnableCircuitBreaker = false,
        MaxRetryAttempts = 8,
    });

    /// <summary>Runs until <paramref name="cancellationToken"/> is canceled, then drains and closes.</summary>
    public static async Task<PipelineReport?> RunAsync(
        RabbitMqTopology topology,
        ResultStore store,
        string writerName,
        Faults faults,
        RabbitMqSourceOptions options,
        CancellationToken cancellationToken,
        int parallelism = 4,
        Action<RabbitMqSource>? onSource = null)
    {
        using var writer = store.OpenWriter(writerName);
        await using var source = new RabbitMqSource(Broker.Factory(), topology, options);
        onSource?.Invoke(source);
        try
        {
            return await SluiceRabbitMq.FromRabbitMq(source)
                .WithParallelism(parallelism)
                .WithBatchSize(50)
                .WithResilience(Resilience())
                .RunAsync(
                    async (batch, token) =>
                    {
                        if (faults.RecordDelay > TimeSpan.Zero)
                        {
                            await Task.Delay(faults.RecordDelay * batch.Count, token);
                        }

                        var rows = new List<(string, string, int)>(batch.Count);
                        foreach (var message in batch)
                        {
                            var (key, sequence, index) = Keyed.Parse(message.Body.Span);
                            faults.Inject(index);
                            rows.Add((message.MessageId, key, sequence));
                        }

                        writer.Write(rows);
                    },
                    cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
