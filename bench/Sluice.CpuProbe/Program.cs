using System.Diagnostics;
using System.Globalization;
using Sluice;
using Sluice.Benchmarks;

// What the pipeline costs over a plain foreach in wall-clock time and in processor time (every thread of the process),
// for trivial work per record. BenchmarkDotNet reports wall-clock time only, and on a small shared machine the hand-over
// between the reader and a worker moves that figure by a third from one run to the next; processor time shows what a
// change to the per-record or per-batch path saves even when the wall clock cannot. Each way runs round after round in
// this one process, alternating, and the medians are reported with their ratio to the raw loop of the same run.
//   dotnet run -c Release --project bench/Sluice.CpuProbe -- [rounds] [records]
var rounds = args.Length >= 1 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 25;
var records = args.Length >= 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
if (rounds < 1 || records < 1)
{
    Console.Error.WriteLine("usage: Sluice.CpuProbe [rounds >= 1] [records >= 1]");
    return 2;
}

const int WarmUpRounds = 3;
var resilience = SluiceResilience.CreatePipeline();
long sum = 0;
var ways = new (string Name, Func<Task> Run)[]
{
    ("raw foreach", () =>
    {
        foreach (var row in Source.Rows(records))
        {
            sum += row.CustomerId;
        }

        return Task.CompletedTask;
    }),
    ("per record, defaults (no resilience)", () => SluicePipeline.From(Source.Rows(records))
        .RunAsync((Row row, CancellationToken _) =>
        {
            Interlocked.Add(ref sum, row.CustomerId);
            return ValueTask.CompletedTask;
        })),
    ("per batch, default resilience", () => SluicePipeline.From(Source.Rows(records)).WithResilience(resilience)
        .RunAsync((IReadOnlyList<Row> batch, CancellationToken _) =>
        {
            long batchSum = 0;
            for (var i = 0; i < batch.Count; i++)
            {
                batchSum += batch[i].CustomerId;
            }

            Interlocked.Add(ref sum, batchSum);
            return ValueTask.CompletedTask;
        })),
};

var wall = ways.Select(_ => new List<double>()).ToArray();
var cpu = ways.Select(_ => new List<double>()).ToArray();
using var self = Process.GetCurrentProcess();
for (var round = 0; round < WarmUpRounds + rounds; round++)
{
    for (var way = 0; way < ways.Length; way++)
    {
        self.Refresh();
        var cpuBefore = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await ways[way].Run();
        clock.Stop();
        self.Refresh();
        if (round >= WarmUpRounds)
        {
            wall[way].Add(clock.Elapsed.TotalMilliseconds);
            cpu[way].Add((self.TotalProcessorTime - cpuBefore).TotalMilliseconds);
        }
    }
}

var rawWall = Median(wall[0]);
var rawCpu = Median(cpu[0]);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{records:N0} records, median of {rounds} rounds (checksum {sum})"));
Console.WriteLine();
Console.WriteLine("| Way | Wall (ms) | Wall ÷ raw | Processor (ms) | Processor ÷ raw |");
Console.WriteLine("|---|---:|---:|---:|---:|");
for (var way = 0; way < ways.Length; way++)
{
    var w = Median(wall[way]);
    var c = Median(cpu[way]);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {ways[way].Name} | {w:F1} | {w / rawWall:F2} | {c:F1} | {c / rawCpu:F2} |"));
}

return 0;

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}
