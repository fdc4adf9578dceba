using BenchmarkDotNet.Attributes;
using Polly;
using Sluice;

namespace Sluice.Benchmarks;

/// <summary>Per-record cost of the pipeline machinery (channels, bookkeeping, resilience) with a handler that does nothing.</summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private readonly ResiliencePipeline _resilience = SluiceResilience.CreatePipeline(new SluiceResilienceOptions { EnableCircuitBreaker = false });

    [Params(100_000)]
    public int Records { get; set; }

    [Params(1, 4)]
    public int Parallelism { get; set; }

    [Benchmark(Baseline = true)]
    public Task<PipelineReport> PerRecord() =>
        SluicePipeline.From(Source.Rows(Records)).WithParallelism(Parallelism)
            .RunAsync((Row _, CancellationToken _) => ValueTask.CompletedTask);

    [Benchmark]
    public Task<PipelineReport> PerRecordWithResilience() =>
        SluicePipeline.From(Source.Rows(Records)).WithParallelism(Parallelism).WithResilience(_resilience)
            .RunAsync((Row _, CancellationToken _) => ValueTask.CompletedTask);

    [Benchmark]
    public Task<PipelineReport> PerBatchWithResilience() =>
        SluicePipeline.From(Source.Rows(Records)).WithParallelism(Parallelism).WithResilience(_resilience)
            .RunAsync((IReadOnlyList<Row> _, CancellationToken _) => ValueTask.CompletedTask);

    [Benchmark]
    public Task<PipelineReport> PartitionedPerRecord() =>
        SluicePipeline.From(Source.Rows(Records)).WithParallelism(Parallelism).PartitionBy(r => r.CustomerId)
            .RunAsync((Row _, CancellationToken _) => ValueTask.CompletedTask);
}
