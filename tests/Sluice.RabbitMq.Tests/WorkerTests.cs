using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Sluice.RabbitMq.Tests.Support;
using Sluice.RabbitMq.Tests.Workers;

namespace Sluice.RabbitMq.Tests;

public sealed class WorkerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-rabbitmq-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public async Task Every_record_ends_once_in_the_store_or_the_dead_letter_queue_with_the_error_in_headers()
    {
        Broker.Require();
        var topology = Broker.NewTopology(4);
        try
        {
            var records = Keyed.Make(3000, keys: 200);
            var faults = new Faults(transientRate: 0.05) { PoisonEnabled = true };
            var poison = records.Where(r => faults.IsPoison(r.Index)).Select(r => r.MessageId).ToHashSet();
            await PublishAsync(topology, records);

            var store = new ResultStore(Path.Combine(_directory, "store"));
            using var stop = new CancellationTokenSource();
            var worker = TestWorker.RunAsync(topology, store, "w", faults, new RabbitMqSourceOptions { Prefetch = 100 }, stop.Token);
            await WaitUntilAsync(async () => store.Read().Count == records.Length - poison.Count && await Broker.ReadyAsync(topology.DeadLetterQueue) >= poison.Count, worker);
            await stop.CancelAsync();
            await worker;

            var stored = store.Read();
            Assert.Equal(records.Select(r => r.MessageId).Except(poison).Order(), stored.Select(e => e.MessageId).Order());
            AssertKeyOrder(stored);
            for (var partition = 0; partition < topology.Partitions; partition++)
            {
                // The worker is gone: a message it left unacknowledged would be ready again.
                Assert.Equal(0u, await Broker.ReadyAsync(topology.Queue(partition)));
            }

            var deadLetters = await Broker.DrainAsync(topology.DeadLetterQueue);
            Assert.Equal(poison.Order(), deadLetters.Select(m => m.BasicProperties.MessageId!).Distinct().Order());
            var letter = deadLetters[0];
            var headers = letter.BasicProperties.Headers!;
            string Header(string name) => Encoding.UTF8.GetString((byte[])headers[name]!);
            var (key, _, index) = Keyed.Parse(letter.Body.Span);
            Assert.Equal(typeof(InvalidDataException).FullName, Header(DeadLetterHeaders.ExceptionType));
            Assert.Equal($"record {index} is malformed", Header(DeadLetterHeaders.ExceptionMessage));
            Assert.Contains(nameof(Faults.Inject), Header(DeadLetterHeaders.ExceptionStackTrace), StringComparison.Ordinal);
            Assert.Equal(1, Convert.ToInt32(headers[DeadLetterHeaders.Attempts], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(topology.Name, Header(DeadLetterHeaders.Pipeline));
            Assert.Equal(topology.Exchange, Header(DeadLetterHeaders.OriginalExchange));
            Assert.Equal(key, Header(DeadLetterHeaders.OriginalRoutingKey));
            Assert.StartsWith(topology.Name + ".p", Header(DeadLetterHeaders.OriginalQueue), StringComparison.Ordinal);
            Assert.Equal("text/plain", letter.BasicProperties.ContentType);
        }
        finally
        {
            await Broker.DeleteAsync(topology);
        }
    }

    [SkippableFact]
    public async Task Permanent_failures_go_to_the_runtime_dead_letter_sink_when_one_is_configured()
    {
        Broker.Require();
        var topology = Broker.NewTopology(2);
        try
        {
            var records = Keyed.Make(500, keys: 20);
            var faults = new Faults(transientRate: 0) { PoisonEnabled = true };
            var poison = records.Where(r => faults.IsPoison(r.Index)).Select(r => r.MessageId).ToHashSet();
            await PublishAsync(topology, records);

            var sink = new MemoryDeadLetterSink();
            var store = new ResultStore(Path.Combine(_directory, "store"));
            using var stop = new CancellationTokenSource();
            var worker = TestWorker.RunAsync(topology, store, "w", faults, new RabbitMqSourceOptions { DeadLetterSink = sink }, stop.Token);
            await WaitUntilAsync(() => Task.FromResult(store.Read().Count == records.Length - poison.Count && sink.Letters.Count >= poison.Count), worker);
            await stop.CancelAsync();
            await worker;

            Assert.Equal(0u, await Broker.ReadyAsync(topology.DeadLetterQueue));
            Assert.Equal(poison.Count, sink.Letters.Count);
            foreach (var letter in sink.Letters)
            {
                Assert.Equal(typeof(InvalidDataException).FullName, letter.ErrorType);
                Assert.Equal(topology.Name, letter.Pipeline);
                using var payload = System.Text.Json.JsonDocument.Parse(letter.Payload);
                Assert.Contains(payload.RootElement.GetProperty("messageId").GetString()!, poison);
                Assert.Equal("utf-8", payload.RootElement.GetProperty("bodyEncoding").GetString());
                Assert.Equal(letter.Key, payload.RootElement.GetProperty("routingKey").GetString());
            }
        }
        finally
        {
            await Broker.DeleteAsync(topology);
        }
    }

    [SkippableFact]
    public async Task Cancelling_a_worker_drains_it_and_leaves_every_other_record_in_the_queues()
    {
        Broker.Require();
        var topology = Broker.NewTopology(3);
        try
        {
            var records = Keyed.Make(4000, keys: 100);
            await PublishAsync(topology, records);
            var store = new ResultStore(Path.Combine(_directory, "store"));
            using var stop = new CancellationTokenSource();
            var worker = TestWorker.RunAsync(topology, store, "w", Faults.None, new RabbitMqSourceOptions { Prefetch = 50 }, stop.Token, parallelism: 2);
            await WaitUntilAsync(() => Task.FromResult(store.CountLines() >= 500), worker);
            await stop.CancelAsync();
            Assert.Null(await worker);

            var stored = store.Read().Select(e => e.MessageId).ToHashSet();
            var left = new List<string>();
            for (var partition = 0; partition < topology.Partitions; partition++)
            {
                left.AddRange((await Broker.DrainAsync(topology.Queue(partition))).Select(m => m.BasicProperties.MessageId!));
            }

            Assert.InRange(stored.Count, 500, records.Length - 1);
            Assert.NotEmpty(left);

            // Nothing lost: what the worker did not acknowledge is back in the queues (a record it stored but had not
            // acknowledged yet may be in both, and is recognised by its message id).
            Assert.Equal(records.Select(r => r.MessageId).Order(), stored.Union(left).Order());
            Assert.True(left.Count(stored.Contains) <= 2 * 50 * topology.Partitions, "more records stored but unacknowledged than the prefetch allows");
        }
        finally
        {
            await Broker.DeleteAsync(topology);
        }
    }

    [SkippableFact]
    public async Task Each_partition_queue_has_one_active_consumer_across_workers()
    {
        Broker.Require();
        var topology = Broker.NewTopology(3);
        try
        {
            var store = new ResultStore(Path.Combine(_directory, "store"));
            using var stop = new CancellationTokenSource();
            var first = TestWorker.RunAsync(topology, store, "first", Faults.None, new RabbitMqSourceOptions(), stop.Token);
            await Task.Delay(1000);
            var second = TestWorker.RunAsync(topology, store, "second", Faults.None, new RabbitMqSourceOptions(), stop.Token);
            await Task.Delay(1000);

            var records = Keyed.Make(1500, keys: 60);
            await PublishAsync(topology, records);
            await WaitUntilAsync(() => Task.FromResult(store.Read().Count == records.Length), first);
            await stop.CancelAsync();
            await Task.WhenAll(first, second);

            // Both workers subscribed to every queue; the one subscribed first is the active consumer of each.
            Assert.Equal(records.Length, File.ReadLines(Path.Combine(store.Directory, "first.log")).Count());
            Assert.Empty(File.ReadLines(Path.Combine(store.Directory, "second.log")));
        }
        finally
        {
            await Broker.DeleteAsync(topology);
        }
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
