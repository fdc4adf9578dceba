using System.Threading.Tasks.Dataflow;
using BenchmarkDotNet.Attributes;
using Polly;
using Sluice;

namespace Sluice.Benchmarks;

/// <summary>
/// An I/O-bound handler (1 ms of simulated latency per record, see <see cref="SimulatedIo"/>) at 16 records in flight:
/// <see cref="SluicePipeline"/> against <see cref="Parallel.ForEachAsync{TSource}(IEnumerable{TSource}, ParallelOptions, Func{TSource, CancellationToken, ValueTask})"/>
/// and a TPL Dataflow <see cref="ActionBlock{TInput}"/>, all over the same lazily generated records and the same handler.
/// Goal from the issue: Sluice at least 0.95 times the throughput of the faster of the other two.
/// With perfect scheduling a run takes Records × 1 ms ÷ 16 (250 ms for 4,000 records, 1 s for 16,000, 1.05 s for 16,800).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 5)]
public class IoBoundBenchmarks
{
    private const int DegreeOfParallelism = 16;

    private readonly ResiliencePipeline _resilience = SluiceResilience.CreatePipeline();
    private SimulatedIo _io = null!;
    private long _sum;

    [Params(4_000, 16_000, 16_800)]
    public int Records { get; set; }

    [GlobalSetup]
    public void Setup() => _io = new SimulatedIo(TimeSpan.FromMilliseconds(1));

    [GlobalCleanup]
    public void Cleanup() => _io.Dispose();

    [Benchmark(Baseline = true)]
    public async Task<long> ParallelForEachAsync()
    {
        _sum = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = DegreeOfParallelism };
        await Parallel.ForEachAsync(Source.Rows(Records), options, (row, _) => new ValueTask(HandleAsync(row)));
        return _sum;
    }

    /// <summary>Bounded like the pipeline's channel (16 × 100 records), fed with <c>SendAsync</c> as a streaming source would be.</summary>
    [Benchmark]
    public async Task<long> DataflowActionBlock()
    {
        _sum = 0;
        var block = new ActionBlock<Row>(HandleAsync, new ExecutionDataflowBlockOptions
        {
            MaxDegreeOfParallelism = DegreeOfParallelism,
            BoundedCapacity = DegreeOfParallelism * SluicePipeline.DefaultBatchSize,
        });
        foreach (var row in Source.Rows(Records))
        {
            await block.SendAsync(row);
        }

        block.Complete();
        await block.Completion;
        return _sum;
    }

    /// <summary>The configuration the goal is about: 16 workers, default batch size (100), per-record handler.</summary>
    [Benchmark]
    public async Task<long> SluicePipelineParallel16()
    {
        _sum = 0;
        await SluicePipeline.From(Source.Rows(Records)).WithParallelism(DegreeOfParallelism)
            .RunAsync((Row row, CancellationToken _) => new ValueTask(HandleAsync(row)));
        return _sum;
    }

    /// <summary>Context: the same with the default resilience pipeline around every record.</summary>
    [Benchmark]
    public async Task<long> SluicePipelineParallel16WithResilience()
    {
        _sum = 0;
        await SluicePipeline.From(Source.Rows(Records)).WithParallelism(DegreeOfParallelism).WithResilience(_resilience)
            .RunAsync((Row row, CancellationToken _) => new ValueTask(HandleAsync(row)));
        return _sum;
    }

    /// <summary>Context: batches of one record, so a worker never holds records another idle worker could take.</summary>
    [Benchmark]
    public async Task<long> SluicePipelineParallel16BatchSize1()
    {
        _sum = 0;
        await SluicePipeline.From(Source.Rows(Records)).WithParallelism(DegreeOfParallelism).WithBatchSize(1)
            .RunAsync((Row row, CancellationToken _) => new ValueTask(HandleAsync(row)));
        return _sum;
    }

    private async Task HandleAsync(Row row)
    {
        await _io.CallAsync().ConfigureAwait(false);
        Interlocked.Add(ref _sum, row.CustomerId);
    }
}
