using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Sluice.RabbitMq.Tests.Support;
using Sluice.RabbitMq.Tests.Workers;

namespace Sluice.RabbitMq.Tests;

public sealed class WorkerTests
{
    [SkippableFact]
    public async Task Every_record_ends_once_in_the_store_or_the_dead_letter_queue_with_the_error_in_headers()
    {
        await using var test = TestTopology.Create(4);
        var records = Keyed.Make(3000, keys: 200);
        var faults = new Faults(transientRate: 0.05) { PoisonEnabled = true };
        var poison = records.Where(r => faults.IsPoison(r.Index)).Select(r => r.MessageId).ToHashSet();
        await test.PublishAsync(records);

        var worker = test.RunWorkerAsync("w", faults, new RabbitMqSourceOptions { Prefetch = 100 });
        await WaitUntilAsync(async () => test.Store.Read().Count == records.Length - poison.Count && await Broker.ReadyAsync(test.Topology.DeadLetterQueue) >= poison.Count, worker);
        await test.Stop.CancelAsync();
        await worker;

        var stored = test.Store.Read();
        Assert.Equal(records.Select(r => r.MessageId).Except(poison).Order(), stored.Select(e => e.MessageId).Order());
        AssertKeyOrder(stored);
        for (var partition = 0; partition < test.Topology.Partitions; partition++)
        {
            // The worker is gone: a message it left unacknowledged would be ready again.
            Assert.Equal(0u, await Broker.ReadyAsync(test.Topology.Queue(partition)));
        }

        var deadLetters = await Broker.DrainAsync(test.Topology.DeadLetterQueue);
        Assert.Equal(poison.Order(), deadLetters.Select(m => m.BasicProperties.MessageId!).Distinct().Order());
        var letter = deadLetters[0];
        var headers = letter.BasicProperties.Headers!;
        string Header(string name) => Encoding.UTF8.GetString((byte[])headers[name]!);
        var (key, _, index) = Keyed.Parse(letter.Body.Span);
        Assert.Equal(typeof(InvalidDataException).FullName, Header(DeadLetterHeaders.ExceptionType));
        Assert.Equal($"record {index} is malformed", Header(DeadLetterHeaders.ExceptionMessage));
        Assert.Contains(nameof(Faults.Inject), Header(DeadLetterHeaders.ExceptionStackTrace), StringComparison.Ordinal);
        Assert.Equal(1, Convert.ToInt32(headers[DeadLetterHeaders.Attempts], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(test.Topology.Name, Header(DeadLetterHeaders.Pipeline));
        Assert.Equal(test.Topology.Exchange, Header(DeadLetterHeaders.OriginalExchange));
        Assert.Equal(key, Header(DeadLetterHeaders.OriginalRoutingKey));
        Assert.StartsWith(test.Topology.Name + ".p", Header(DeadLetterHeaders.OriginalQueue), StringComparison.Ordinal);
        Assert.Equal("text/plain", letter.BasicProperties.ContentType);
    }

    [SkippableFact]
    public async Task Permanent_failures_go_to_the_runtime_dead_letter_sink_when_one_is_configured()
    {
        await using var test = TestTopology.Create(2);
        var records = Keyed.Make(500, keys: 20);
        var faults = new Faults(transientRate: 0) { PoisonEnabled = true };
        var poison = records.Where(r => faults.IsPoison(r.Index)).Select(r => r.MessageId).ToHashSet();
        await test.PublishAsync(records);

        var sink = new MemoryDeadLetterSink();
        var worker = test.RunWorkerAsync("w", faults, new RabbitMqSourceOptions { DeadLetterSink = sink });
        await WaitUntilAsync(() => Task.FromResult(test.Store.Read().Count == records.Length - poison.Count && sink.Letters.Count >= poison.Count), worker);
        await test.Stop.CancelAsync();
        await worker;

        Assert.Equal(0u, await Broker.ReadyAsync(test.Topology.DeadLetterQueue));
        Assert.Equal(poison.Count, sink.Letters.Count);
        foreach (var letter in sink.Letters)
        {
            Assert.Equal(typeof(InvalidDataException).FullName, letter.ErrorType);
            Assert.Equal(test.Topology.Name, letter.Pipeline);
            using var payload = System.Text.Json.JsonDocument.Parse(letter.Payload);
            Assert.Contains(payload.RootElement.GetProperty("messageId").GetString()!, poison);
            Assert.Equal("utf-8", payload.RootElement.GetProperty("bodyEncoding").GetString());
            Assert.Equal(letter.Key, payload.RootElement.GetProperty("routingKey").GetString());
        }
    }

    [SkippableFact]
    public async Task Cancelling_a_worker_drains_it_and_leaves_every_other_record_in_the_queues()
    {
        await using var test = TestTopology.Create(3);
        var records = Keyed.Make(4000, keys: 100);
        await test.PublishAsync(records);
        var worker = test.RunWorkerAsync("w", Faults.None, new RabbitMqSourceOptions { Prefetch = 50 }, parallelism: 2);
        await WaitUntilAsync(() => Task.FromResult(test.Store.CountLines() >= 500), worker);
        await test.Stop.CancelAsync();
        Assert.Null(await worker);

        var stored = test.Store.Read().Select(e => e.MessageId).ToHashSet();
        var left = new List<string>();
        for (var partition = 0; partition < test.Topology.Partitions; partition++)
        {
            left.AddRange((await Broker.DrainAsync(test.Topology.Queue(partition))).Select(m => m.BasicProperties.MessageId!));
        }

        Assert.InRange(stored.Count, 500, records.Length - 1);
        Assert.NotEmpty(left);

        // Nothing lost: what the worker did not acknowledge is back in the queues (a record it stored but had not
        // acknowledged yet may be in both, and is recognised by its message id).
        Assert.Equal(records.Select(r => r.MessageId).Order(), stored.Union(left).Order());
        Assert.True(left.Count(stored.Contains) <= 2 * 50 * test.Topology.Partitions, "more records stored but unacknowledged than the prefetch allows");
    }

    [SkippableFact]
    public async Task Each_partition_queue_has_one_active_consumer_across_workers()
    {
        await using var test = TestTopology.Create(3);
        var first = test.RunWorkerAsync("first", Faults.None, new RabbitMqSourceOptions());
        await Task.Delay(1000);
        var second = test.RunWorkerAsync("second", Faults.None, new RabbitMqSourceOptions());
        await Task.Delay(1000);

        var records = Keyed.Make(1500, keys: 60);
        await test.PublishAsync(records);
        await WaitUntilAsync(() => Task.FromResult(test.Store.Read().Count == records.Length), first);
        await test.Stop.CancelAsync();
        await Task.WhenAll(first, second);

        // Both workers subscribed to every queue; the one subscribed first is the active consumer of each.
        Assert.Equal(records.Length, File.ReadLines(Path.Combine(test.Store.Directory, "first.log")).Count());
        Assert.Empty(File.ReadLines(Path.Combine(test.Store.Directory, "second.log")));
    }

    internal static async Task PublishAsync(RabbitMqTopology topology, IEnumerable<Keyed> records, int maxOutstanding = 1024)
    {
        await using var publisher = new RabbitMqPublisher<Keyed>(Broker.Factory(), topology, Keyed.PublisherOptions(maxOutstanding));
        await publisher.PublishAllAsync(records);
    }

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, Task worker, int seconds = 120)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (worker.IsCompleted)
            {
                await worker;
                Assert.Fail("the worker stopped before the condition held");
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(seconds), $"the condition did not hold within {seconds} s");
            await Task.Delay(50);
        }
    }

    internal static void AssertKeyOrder(IEnumerable<ResultStore.Entry> stored)
    {
        foreach (var group in stored.GroupBy(e => e.Key))
        {
            var sequences = group.Select(e => e.Sequence).ToArray();
            for (var i = 1; i < sequences.Length; i++)
            {
                Assert.True(sequences[i - 1] < sequences[i], $"key {group.Key}: sequence {sequences[i]} stored after {sequences[i - 1]}: "
                    + string.Join("; ", group.Select(e => $"{e.Sequence}@{e.Ticks}/{e.MessageId}")));
            }
        }
    }

    private sealed class MemoryDeadLetterSink : IDeadLetterSink
    {
        public ConcurrentQueue<DeadLetter> Letters { get; } = new();

        public ValueTask WriteAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken = default)
        {
            foreach (var letter in deadLetters)
            {
                Letters.Enqueue(letter);
            }

            return ValueTask.CompletedTask;
        }
    }
}
