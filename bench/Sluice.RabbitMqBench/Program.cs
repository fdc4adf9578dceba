using System.Diagnostics;
using System.Globalization;
using System.Text;
using RabbitMQ.Client;
using Sluice;
using Sluice.RabbitMq;

// End-to-end messages/s of a Sluice pipeline on RabbitMQ with 1, 2 and 3 workers, in one run: for each round a fresh
// topology of 6 partition queues, a producer publishing the records (confirms, persistent), and the workers (each its own
// connection, preferring its share of the partitions) consuming them through an I/O-bound handler, until every record is
// acknowledged. Rounds alternate (1, 2, 3, 3, 2, 1, ...) so that the shared machine's drift hits every count alike.
// Arguments: records per round (default 30000), rounds per worker count (default 2). Broker: SLUICE_RABBITMQ_URI.
var records = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30_000;
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2;
var uri = new Uri(Environment.GetEnvironmentVariable("SLUICE_RABBITMQ_URI") is { Length: > 0 } text ? text : "amqp://guest:guest@127.0.0.1:5672/");
const int Partitions = 6;

// The handler stands for a sink write: 5 ms per batch of up to 50 records, one batch at a time per worker lane.
var handlerLatency = TimeSpan.FromMilliseconds(5);

var order = new List<int>();
for (var round = 0; round < rounds; round++)
{
    order.AddRange(round % 2 == 0 ? [1, 2, 3] : [3, 2, 1]);
}

var results = new Dictionary<int, List<double>>();
foreach (var workers in order)
{
    var rate = await RunAsync(workers);
    Console.WriteLine($"{workers} worker(s): {rate:F0} messages/s");
    (results.TryGetValue(workers, out var list) ? list : results[workers] = []).Add(rate);
}

var baseline = Median(results[1]);
Console.WriteLine();
Console.WriteLine($"| Workers | Median messages/s ({records:N0} records, {rounds} rounds) | Ratio to 1 worker |");
Console.WriteLine("|---:|---:|---:|");
foreach (var workers in results.Keys.Order())
{
    var median = Median(results[workers]);
    Console.WriteLine($"| {workers} | {median:F0} | {median / baseline:F2} |");
}

return 0;

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

async Task<double> RunAsync(int workers)
{
    var topology = new RabbitMqTopology("sluice-bench-" + Guid.NewGuid().ToString("N")[..8], Partitions);
    ConnectionFactory Factory() => new() { Uri = uri };
    using var stop = new CancellationTokenSource();
    var sources = new RabbitMqSource[workers];
    var runs = new Task[workers];
    var clock = Stopwatch.StartNew();
    for (var w = 0; w < workers; w++)
    {
        var preferred = Enumerable.Range(0, Partitions).Where(p => p % workers == w).ToArray();
        sources[w] = new RabbitMqSource(Factory(), topology, new RabbitMqSourceOptions { Prefetch = 200, PreferredPartitions = preferred, StandbyDelay = TimeSpan.FromSeconds(1) });
        var source = sources[w];
        runs[w] = Task.Run(async () =>
        {
            try
            {
                await SluiceRabbitMq.FromRabbitMq(source)
                    .WithParallelism(2)
                    .WithBatchSize(50)
                    // The parameter types pick the batch handler: with `(batch, token)` alone the compiler chose the
                    // per-record overload, and the handler waited 5 ms per record instead of per batch.
                    .RunAsync(async (IReadOnlyList<RabbitMqMessage> batch, CancellationToken token) => await Task.Delay(handlerLatency, token), stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopped after the last record.
            }
        });
    }

    // Let every worker take its preferred partitions before the records arrive.
    await Task.Delay(TimeSpan.FromSeconds(2));
    clock.Restart();
    await using (var publisher = new RabbitMqPublisher<int>(Factory(), topology, new RabbitMqPublisherOptions<int>
    {
        PartitionKey = i => "key-" + (i % 1000).ToString(CultureInfo.InvariantCulture),
        MessageId = i => "m-" + i.ToString(CultureInfo.InvariantCulture),
        Serialize = i => Encoding.UTF8.GetBytes("{\"id\":" + i.ToString(CultureInfo.InvariantCulture) + "}"),
        MaxOutstandingConfirms = 2048,
    }))
    {
        await publisher.PublishAllAsync(Enumerable.Range(0, records));
    }

    while (sources.Sum(s => s.Acknowledged) < records)
    {
        await Task.Delay(10);
    }

    var elapsed = clock.Elapsed;
    await stop.CancelAsync();
    await Task.WhenAll(runs);
    foreach (var source in sources)
    {
        await source.DisposeAsync();
    }

    await using var connection = await Factory().CreateConnectionAsync();
    await using var channel = await connection.CreateChannelAsync();
    for (var p = 0; p < Partitions; p++)
    {
        await channel.QueueDeleteAsync(topology.Queue(p));
    }

    await channel.QueueDeleteAsync(topology.DeadLetterQueue);
    await channel.ExchangeDeleteAsync(topology.Exchange);
    await channel.ExchangeDeleteAsync(topology.DeadLetterExchange);
    return records / elapsed.TotalSeconds;
}
