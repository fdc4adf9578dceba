using System.Diagnostics;
using System.Globalization;
using Sluice;
using Sluice.Benchmarks;

// Compares the peak working set of processing N generated rows several ways. Each way runs in its own child process
// so that one way's heap cannot inflate another's peak.
//   dotnet run -c Release --project bench/Sluice.MemoryProbe              -> runs every way, prints a Markdown table
//   dotnet run -c Release --project bench/Sluice.MemoryProbe -- <way> [N] -> runs one way, prints its peak in bytes
const int DefaultRows = 5_000_000;
const int BatchSize = 1_000;
string[] ways = ["baseline", "tolist", "inbatches", "inbatches-async", "pipeline", "pipeline-borrowed"];

if (args.Length >= 1)
{
    var rows = args.Length >= 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : DefaultRows;
    var checksum = args[0] switch
    {
        "baseline" => 0m,
        "tolist" => ToList(rows),
        "inbatches" => InBatches(rows),
        "inbatches-async" => await InBatchesAsync(rows),
        "pipeline" => await Pipeline(rows),
        "pipeline-borrowed" => await PipelineBorrowed(rows),
        _ => throw new ArgumentException($"Unknown way '{args[0]}'; expected one of: {string.Join(", ", ways)}.", nameof(args)),
    };
    using var self = Process.GetCurrentProcess();
    self.Refresh();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{self.PeakWorkingSet64} {checksum}"));
    return 0;
}

// Each way at a tenth of the rows and at all of them: memory that is O(batch) stays flat, O(dataset) grows tenfold.
var smallRows = DefaultRows / 10;
var results = new Dictionary<string, (long Small, long Full)>();
foreach (var way in ways)
{
    results[way] = (await MeasureAsync(way, smallRows), await MeasureAsync(way, DefaultRows));
}

var (baselineSmall, baselineFull) = results["baseline"];
var toListAbove = results["tolist"].Full - baselineFull;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Rows: {DefaultRows:N0} (and {smallRows:N0}), batch size {BatchSize:N0}, .NET {Environment.Version}, {Environment.ProcessorCount} cores, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC"));
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| Way | Peak WS, {smallRows:N0} rows (MiB) | Peak WS, {DefaultRows:N0} rows (MiB) | Growth above baseline, ×10 rows | ToList ÷ this, whole process | ToList ÷ this, above baseline |"));
Console.WriteLine("|---|---:|---:|---:|---:|---:|");
foreach (var (way, (small, full)) in results)
{
    var growth = way == "baseline" ? "" : string.Create(CultureInfo.InvariantCulture, $"{(double)(full - baselineFull) / Math.Max(small - baselineSmall, 1):F1}×");
    var whole = way is "baseline" or "tolist" ? "" : string.Create(CultureInfo.InvariantCulture, $"{(double)results["tolist"].Full / full:F1}×");
    var above = way is "baseline" or "tolist" ? "" : string.Create(CultureInfo.InvariantCulture, $"{(double)toListAbove / Math.Max(full - baselineFull, 1):F1}×");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {way} | {small / 1048576.0:F1} | {full / 1048576.0:F1} | {growth} | {whole} | {above} |"));
}

return 0;

static async Task<long> MeasureAsync(string way, int rows)
{
    var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
    {
        info.ArgumentList.Add(typeof(Row).Assembly.Location);
    }

    info.ArgumentList.Add(way);
    info.ArgumentList.Add(rows.ToString(CultureInfo.InvariantCulture));
    using var child = Process.Start(info)!;
    var output = (await child.StandardOutput.ReadToEndAsync()).Trim();
    await child.WaitForExitAsync();
    if (child.ExitCode != 0)
    {
        throw new InvalidOperationException($"{way} failed with exit code {child.ExitCode}.");
    }

    return long.Parse(output.Split(' ')[0], CultureInfo.InvariantCulture);
}

static decimal ToList(int rows)
{
    var all = Source.Rows(rows).ToList();
    var sum = 0m;
    foreach (var row in all)
    {
        sum += row.Amount;
    }

    return sum;
}

static decimal InBatches(int rows)
{
    var sum = 0m;
    foreach (var batch in Source.Rows(rows).InBatches(BatchSize))
    {
        foreach (var row in batch)
        {
            sum += row.Amount;
        }
    }

    return sum;
}

static async Task<decimal> InBatchesAsync(int rows)
{
    var sum = 0m;
    await foreach (var batch in Source.RowsAsync(rows).InBatches(BatchSize))
    {
        foreach (var row in batch)
        {
            sum += row.Amount;
        }
    }

    return sum;
}

static async Task<decimal> Pipeline(int rows)
{
    long cents = 0;
    await SluicePipeline.From(Source.Rows(rows))
        .WithBatchSize(BatchSize)
        .WithParallelism(2)
        .RunAsync((IReadOnlyList<Row> batch, CancellationToken _) =>
        {
            long local = 0;
            foreach (var row in batch)
            {
                local += (long)(row.Amount * 100);
            }

            Interlocked.Add(ref cents, local);
            return ValueTask.CompletedTask;
        });
    return cents / 100m;
}

// The same with the borrowing batch handler: the batch is the pipeline's pooled array, valid during the call.
static async Task<decimal> PipelineBorrowed(int rows)
{
    long cents = 0;
    await SluicePipeline.From(Source.Rows(rows))
        .WithBatchSize(BatchSize)
        .WithParallelism(2)
        .RunBorrowedAsync((batch, _) =>
        {
            long local = 0;
            foreach (var row in batch.Span)
            {
                local += (long)(row.Amount * 100);
            }

            Interlocked.Add(ref cents, local);
            return ValueTask.CompletedTask;
        });
    return cents / 100m;
}
