using BenchmarkDotNet.Attributes;
using Polly;
using Sluice;

namespace Sluice.Benchmarks;

/// <summary>
/// The per-record allocation budget of the batch handler's success path: the same run at 100,000 and 1,000,000
/// records. The rows themselves are allocated by the source (the raw loop shows how much); whatever the pipeline adds
/// per record shows as a difference that grows tenfold with the records, a per-run cost as one that stays the same.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class AllocationBenchmarks
{
    private readonly ResiliencePipeline _resilience = SluiceResilience.CreatePipeline();
    private long _sum;

    [Params(100_000, 1_000_000)]
    public int Records { get; set; }

    [Benchmark(Baseline = true)]
    public long RawForeach()
    {
        long sum = 0;
        foreach (var row in Source.Rows(Records))
        {
            sum += row.CustomerId;
        }

        return sum;
    }

    [Benchmark]
    public async Task<long> PipelineBorrowedWithResilience()
    {
        _sum = 0;
        await SluicePipeline.From(Source.Rows(Records)).WithResilience(_resilience).RunBorrowedAsync((batch, _) =>
        {
            long sum = 0;
            foreach (var row in batch.Span)
            {
                sum += row.CustomerId;
            }

            Interlocked.Add(ref _sum, sum);
            return ValueTask.CompletedTask;
        });
        return _sum;
    }

    [Benchmark]
    public async Task<long> PipelineListWithResilience()
    {
        _sum = 0;
        await SluicePipeline.From(Source.Rows(Records)).WithResilience(_resilience).RunAsync((IReadOnlyList<Row> batch, CancellationToken _) =>
        {
            long sum = 0;
            for (var i = 0; i < batch.Count; i++)
            {
                sum += batch[i].CustomerId;
            }

            Interlocked.Add(ref _sum, sum);
            return ValueTask.CompletedTask;
        });
        return _sum;
    }
}
