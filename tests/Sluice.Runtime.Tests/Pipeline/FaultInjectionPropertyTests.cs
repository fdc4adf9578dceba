using System.Collections.Concurrent;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Pipeline;

/// <summary>
/// Property: whatever mix of transient and permanent faults, parallelism, batch size and partitioning, every record
/// ends exactly once as succeeded or dead-lettered, and the counts in the report agree.
/// </summary>
public class FaultInjectionPropertyTests
{
    private const int MaxRetryAttempts = 3;

    private sealed record Plan(int TransientFailures, bool Poison);

    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (var seed = 1; seed <= 25; seed++)
        {
            seeds.Add(seed);
        }

        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task No_record_is_lost_or_duplicated_under_random_faults_with_a_record_handler(int seed)
    {
        var random = new Random(seed);
        var count = random.Next(1, 400);
        var plans = Enumerable.Range(0, count).Select(_ => new Plan(
            TransientFailures: random.Next(10) < 3 ? random.Next(1, MaxRetryAttempts + 3) : 0,
            Poison: random.Next(10) == 0)).ToArray();
        var attempts = new int[count];
        var succeeded = new ConcurrentQueue<int>();
        var sink = new RecordingDeadLetterSink();

        var builder = SluicePipeline.From(Enumerable.Range(0, count))
            .WithName("property-" + seed)
            .WithParallelism(random.Next(1, 5))
            .WithBatchSize(random.Next(1, 20))
            .WithResilience(Fast.Resilience(MaxRetryAttempts))
            .WithDeadLetters(sink);
        if (random.Next(2) == 0)
        {
            builder.PartitionBy(i => i % 7);
        }

        var report = await builder.RunAsync(async (record, _) =>
        {
            var attempt = Interlocked.Increment(ref attempts[record]);
            if (record % 3 == 0)
            {
                await Task.Yield();
            }

            if (plans[record].Poison)
            {
                throw new ArgumentException("poison " + record);
            }

            if (attempt <= plans[record].TransientFailures)
            {
                throw new TimeoutException("transient " + record);
            }

            succeeded.Enqueue(record);
        });

        bool Recovers(Plan plan) => !plan.Poison && plan.TransientFailures <= MaxRetryAttempts;
        var expectedGood = Enumerable.Range(0, count).Where(i => Recovers(plans[i])).ToArray();
        var expectedDead = Enumerable.Range(0, count).Where(i => !Recovers(plans[i])).ToArray();

        Assert.Equal(expectedGood, succeeded.Order());
        Assert.Equal(expectedDead, sink.Letters.Select(d => (int)d.Position!.Value).Order());
        Assert.Equal(count, report.Read);
        Assert.Equal(expectedGood.Length, report.Succeeded);
        Assert.Equal(expectedDead.Length, report.DeadLettered);
        Assert.Equal(attempts.Sum() - count, report.Retried);
        foreach (var letter in sink.Letters)
        {
            var plan = plans[(int)letter.Position!.Value];
            Assert.Equal(plan.Poison ? 1 : MaxRetryAttempts + 1, letter.Attempts);
            Assert.Equal(plan.Poison ? typeof(ArgumentException).FullName : typeof(TimeoutException).FullName, letter.ErrorType);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task No_record_is_lost_or_duplicated_under_random_faults_with_a_batch_handler(int seed)
    {
        var random = new Random(seed);
        var faults = new Random(seed * 7919);
        var count = random.Next(1, 400);
        var poison = Enumerable.Range(0, count).Where(_ => random.Next(12) == 0).ToHashSet();
        var stored = new ConcurrentDictionary<int, int>();
        var sink = new RecordingDeadLetterSink();

        var report = await SluicePipeline.From(Enumerable.Range(0, count))
            .WithParallelism(random.Next(1, 5))
            .WithBatchSize(random.Next(1, 30))
            .WithResilience(Fast.Resilience(maxRetryAttempts: 20))
            .WithDeadLetters(sink)
            .RunAsync((IReadOnlyList<int> batch, CancellationToken _) =>
            {
                bool transient;
                lock (faults)
                {
                    transient = faults.Next(5) == 0;
                }

                if (transient)
                {
                    throw new IOException("flaky");
                }

                if (batch.Any(poison.Contains))
                {
                    throw new FormatException("poison in batch");
                }

                foreach (var record in batch)
                {
                    stored.AddOrUpdate(record, 1, (_, n) => n + 1);
                }

                return ValueTask.CompletedTask;
            });

        Assert.Equal(Enumerable.Range(0, count).Where(i => !poison.Contains(i)), stored.Keys.Order());
        Assert.All(stored.Values, n => Assert.Equal(1, n));
        Assert.Equal(poison.Order(), sink.Letters.Select(d => (int)d.Position!.Value).Order());
        Assert.Equal(count - poison.Count, report.Succeeded);
        Assert.Equal(poison.Count, report.DeadLettered);
    }
}
