using BenchmarkDotNet.Attributes;
using Sluice;

namespace Sluice.Benchmarks;

/// <summary>Streaming in batches against materializing everything first, over a lazily generated source.</summary>
[MemoryDiagnoser]
public class BatchingBenchmarks
{
    [Params(100_000)]
    public int Rows { get; set; }

    [Params(1_000)]
    public int BatchSize { get; set; }

    [Benchmark(Baseline = true)]
    public decimal ToListThenIterate()
    {
        var sum = 0m;
        foreach (var row in Source.Rows(Rows).ToList())
        {
            sum += row.Amount;
        }

        return sum;
    }

    [Benchmark]
    public decimal InBatches()
    {
        var sum = 0m;
        foreach (var batch in Source.Rows(Rows).InBatches(BatchSize))
        {
            foreach (var row in batch)
            {
                sum += row.Amount;
            }
        }

        return sum;
    }

    [Benchmark]
    public async Task<decimal> InBatchesAsync()
    {
        var sum = 0m;
        await foreach (var batch in Source.RowsAsync(Rows).InBatches(BatchSize))
        {
            foreach (var row in batch)
            {
                sum += row.Amount;
            }
        }

        return sum;
    }
}
