using System.Buffers;
using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using Polly;
using Sluice;

namespace Sluice.Benchmarks;

/// <summary>
/// What the pipeline costs over a plain <c>foreach</c> when the work per record is trivial: the same generated records,
/// the same sum of a field, once in a loop and once through <see cref="SluicePipeline"/> with the default resilience
/// pipeline (<see cref="SluiceResilience.CreatePipeline(SluiceResilienceOptions?)"/>, circuit breaker included).
/// Goals from the issue, measured by its probe at 1,000,000 records: the per-batch run with the default resilience
/// pipeline within 1.3 times the raw loop, and the per-record run with the pipeline's defaults (no resilience) within 2.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 15)]
public class OverheadBenchmarks
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

    /// <summary>The configuration the goal is about: resilience applied once per batch (default batch size, 100).</summary>
    [Benchmark]
    public async Task<long> PipelinePerBatchWithResilience()
    {
        _sum = 0;
        await SluicePipeline.From(Source.Rows(Records)).WithResilience(_resilience).RunAsync(SumBatch);
        return _sum;
    }

    /// <summary>
    /// The same with the borrowing batch handler (<c>RunBorrowedAsync</c>): the batch is the pipeline's pooled array,
    /// valid during the call, so nothing is allocated per record (the 0 B per record goal).
    /// </summary>
    [Benchmark]
    public async Task<long> PipelineBorrowedWithResilience()
    {
        _sum = 0;
        await SluicePipeline.From(Source.Rows(Records)).WithResilience(_resilience).RunBorrowedAsync(SumBorrowed);
        return _sum;
    }

    /// <summary>Context: the borrowing handler with batches of 1,000.</summary>
    [Benchmark]
    public async Task<long> PipelineBorrowed1000WithResilience()
    {
        _sum = 0;
        await SluicePipeline.From(Source.Rows(Records)).WithBatchSize(1_000).WithResilience(_resilience).RunBorrowedAsync(SumBorrowed);
        return _sum;
    }

    /// <summary>Context: the same run without resilience, to separate the resilience cost from the pipeline machinery.</summary>
    [Benchmark]
    public async Task<long> PipelinePerBatch()
    {
        _sum = 0;
        await SluicePipeline.From(Source.Rows(Records)).RunAsync(SumBatch);
        return _sum;
    }

    /// <summary>Context: batches of 1,000 instead of 100, to see whether the cost is per batch or per record.</summary>
    [Benchmark]
    public async Task<long> PipelinePerBatch1000WithResilience()
    {
        _sum = 0;
        await SluicePipeline.From(Source.Rows(Records)).WithBatchSize(1_000).WithResilience(_resilience).RunAsync(SumBatch);
        return _sum;
    }

    /// <summary>Context: resilience applied to every record (per-record handler).</summary>
    [Benchmark]
    public async Task<long> PipelinePerRecordWithResilience()
    {
        _sum = 0;
        await SluicePipeline.From(Source.Rows(Records)).WithResilience(_resilience).RunAsync(SumRecord);
        return _sum;
    }

    /// <summary>
    /// Context: the per-record handler without resilience, to separate the pipeline's own per-record cost from the
    /// default resilience pipeline's (two timeouts, a retry and a circuit breaker around every record).
    /// </summary>
    [Benchmark]
    public async Task<long> PipelinePerRecord()
    {
        _sum = 0;
        await SluicePipeline.From(Source.Rows(Records)).RunAsync(SumRecord);
        return _sum;
    }

    /// <summary>
    /// Context: only the default resilience pipeline, executed once per batch of the runs above (Records ÷ 100 times)
    /// around a handler that does nothing: the part of the per-batch runs that Polly itself costs.
    /// </summary>
    [Benchmark]
    public async Task<long> ResiliencePipelineOnlyPerBatch()
    {
        var batches = Records / SluicePipeline.DefaultBatchSize;
        for (var i = 0; i < batches; i++)
        {
            await _resilience.ExecuteAsync(static _ => ValueTask.CompletedTask, CancellationToken.None);
        }

        return batches;
    }

    /// <summary>
    /// Context, no Sluice: the floor of any design that runs the handler on another thread than the one reading the
    /// source, shaped like the pipeline's defaults: this thread fills pooled arrays of 100 rows and writes them to a
    /// bounded channel of one array (parallelism 1); one consumer on the thread pool sums them and returns the arrays.
    /// Nothing tracks positions, nothing is retried, nothing is checkpointed.
    /// </summary>
    [Benchmark]
    public async Task<long> HandOverToAnotherThreadOnly()
    {
        const int batchSize = SluicePipeline.DefaultBatchSize;
        var channel = Channel.CreateBounded<(Row[] Rows, int Count)>(new BoundedChannelOptions(1)
        {
            SingleWriter = true,
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        async Task<long> Consume()
        {
            long sum = 0;
            await foreach (var (rows, count) in channel.Reader.ReadAllAsync())
            {
                for (var i = 0; i < count; i++)
                {
                    sum += rows[i].CustomerId;
                }

                ArrayPool<Row>.Shared.Return(rows, clearArray: true);
            }

            return sum;
        }

        var consumer = Task.Run(Consume);
        var buffer = ArrayPool<Row>.Shared.Rent(batchSize);
        var filled = 0;
        foreach (var row in Source.Rows(Records))
        {
            buffer[filled++] = row;
            if (filled == batchSize)
            {
                await channel.Writer.WriteAsync((buffer, filled));
                buffer = ArrayPool<Row>.Shared.Rent(batchSize);
                filled = 0;
            }
        }

        await channel.Writer.WriteAsync((buffer, filled));
        channel.Writer.Complete();
        return await consumer;
    }

    private ValueTask SumBatch(IReadOnlyList<Row> batch, CancellationToken cancellationToken)
    {
        long sum = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            sum += batch[i].CustomerId;
        }

        Interlocked.Add(ref _sum, sum);
        return ValueTask.CompletedTask;
    }

    private ValueTask SumBorrowed(ReadOnlyMemory<Row> batch, CancellationToken cancellationToken)
    {
        long sum = 0;
        foreach (var row in batch.Span)
        {
            sum += row.CustomerId;
        }

        Interlocked.Add(ref _sum, sum);
        return ValueTask.CompletedTask;
    }

    private ValueTask SumRecord(Row row, CancellationToken cancellationToken)
    {
        Interlocked.Add(ref _sum, row.CustomerId);
        return ValueTask.CompletedTask;
    }
}
