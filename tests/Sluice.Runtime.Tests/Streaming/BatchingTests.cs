using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Streaming;

public class BatchingTests
{
    private static IEnumerable<int> Counting(Action onPull)
    {
        for (var i = 0; ; i++)
        {
            onPull();
            yield return i;
        }
    }

    private static async IAsyncEnumerable<int> CountingAsync(int count, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return i;
        }
    }

    [Fact]
    public void Enumerable_batches_keep_order_and_end_with_the_remainder()
    {
        var batches = Enumerable.Range(0, 10).InBatches(3).ToList();
        Assert.Equal([3, 3, 3, 1], batches.Select(b => b.Length));
        Assert.Equal(Enumerable.Range(0, 10), batches.SelectMany(b => b));
    }

    [Fact]
    public void Batches_are_fresh_arrays_the_caller_may_keep()
    {
        var kept = Enumerable.Range(0, 6).InBatches(2).ToList();
        kept[0][0] = 99;
        Assert.Equal([2, 3], kept[1]);
        Assert.Equal([4, 5], kept[2]);
        Assert.Equal(3, kept.Distinct().Count());
    }

    [Fact]
    public void Only_one_batch_is_pulled_from_the_source_at_a_time()
    {
        var pulled = 0;
        using var batches = Counting(() => pulled++).InBatches(100).GetEnumerator();
        Assert.True(batches.MoveNext());
        Assert.Equal(100, pulled);
        Assert.True(batches.MoveNext());
        Assert.Equal(200, pulled);
    }

    [Fact]
    public async Task Async_batches_keep_order_and_honour_cancellation()
    {
        var batches = await CountingAsync(7).InBatches(2).ToListAsync();
        Assert.Equal([2, 2, 2, 1], batches.Select(b => b.Length));
        Assert.Equal(Enumerable.Range(0, 7), batches.SelectMany(b => b));

        using var cts = new CancellationTokenSource();
        var seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var batch in CountingAsync(1000).InBatches(10).WithCancellation(cts.Token))
            {
                seen += batch.Length;
                cts.Cancel();
            }
        });
        Assert.Equal(10, seen);
    }

    [Fact]
    public async Task A_query_that_is_an_async_stream_is_read_asynchronously()
    {
        var query = new AsyncQueryable<int>(Enumerable.Range(0, 5));
        var batches = await query.InBatches(2).ToListAsync();
        Assert.Equal(Enumerable.Range(0, 5), batches.SelectMany(b => b));
        Assert.Single(query.ExecutedQueries);
    }

    [Fact]
    public async Task A_plain_query_is_read_synchronously()
    {
        var batches = await Enumerable.Range(0, 5).AsQueryable().Where(i => i % 2 == 0).InBatches(2).ToListAsync();
        Assert.Equal([[0, 2], [4]], batches);
    }

    [Fact]
    public async Task Keyset_batches_run_one_fresh_query_per_page_after_the_last_key()
    {
        var ids = new[] { 40, 3, 17, 8, 25, 1, 33 };
        var query = new AsyncQueryable<Order>(ids.Select(id => new Order(id, "c" + id, id)));

        var batches = await query.InKeysetBatches(o => o.Id, 3).ToListAsync();

        Assert.Equal(ids.Order(), batches.SelectMany(b => b).Select(o => o.Id));
        Assert.Equal([3, 3, 1], batches.Select(b => b.Length));
        Assert.Equal(3, query.ExecutedQueries.Count);
        Assert.DoesNotContain("Where", query.ExecutedQueries[0].ToString(), StringComparison.Ordinal);
        Assert.All(query.ExecutedQueries.Skip(1), q =>
        {
            var text = q.ToString();
            Assert.Contains("Where", text, StringComparison.Ordinal);
            Assert.Contains("OrderBy", text, StringComparison.Ordinal);
            Assert.Contains("Take(3)", text, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Keyset_batches_work_with_string_keys_and_exact_multiples()
    {
        var names = new[] { "delta", "alpha", "charlie", "bravo" };
        var batches = await names.AsQueryable().InKeysetBatches(n => n, 2).ToListAsync();
        Assert.Equal(names.Order(StringComparer.CurrentCulture), batches.SelectMany(b => b));
        Assert.Equal(2, batches.Count);
    }

    [Fact]
    public async Task Bad_arguments_are_rejected_by_name_with_the_allowed_range()
    {
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => ((IEnumerable<int>)null!).InBatches(1)).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => ((IAsyncEnumerable<int>)null!).InBatches(1)).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => ((IQueryable<int>)null!).InBatches(1)).ParamName);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new[] { 1 }.InBatches(0));
        Assert.Equal("size", error.ParamName);
        Assert.Contains("between 1 and 1000000", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => CountingAsync(1).InBatches(SluiceBatchingExtensions.MaxBatchSize + 1));
        Assert.Equal("keySelector", Assert.Throws<ArgumentNullException>(() => new[] { 1 }.AsQueryable().InKeysetBatches<int, int>(null!, 1)).ParamName);
        Assert.Equal("size", Assert.Throws<ArgumentOutOfRangeException>(() => new[] { 1 }.AsQueryable().InKeysetBatches(i => i, -1)).ParamName);
        await Task.CompletedTask;
    }
}

public class SluiceFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Lines_stream_one_by_one_or_in_batches()
    {
        var path = _temp.File("lines.txt");
        var lines = Enumerable.Range(0, 10).Select(i => "line " + i).ToArray();
        await File.WriteAllLinesAsync(path, lines);

        Assert.Equal(lines, await SluiceFile.ReadLinesAsync(path).ToListAsync());
        Assert.Equal(lines, SluiceFile.ReadLines(path));
        var batches = await SluiceFile.ReadLineBatchesAsync(path, 4).ToListAsync();
        Assert.Equal([4, 4, 2], batches.Select(b => b.Length));
        Assert.Equal(lines, batches.SelectMany(b => b));
    }

    [Fact]
    public async Task Bad_arguments_are_rejected_by_name()
    {
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => SluiceFile.ReadLinesAsync(null!)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => SluiceFile.ReadLines("")).ParamName);
        Assert.Equal("size", Assert.Throws<ArgumentOutOfRangeException>(() => SluiceFile.ReadLineBatchesAsync(_temp.File("x"), 0)).ParamName);
        await Assert.ThrowsAsync<FileNotFoundException>(async () => await SluiceFile.ReadLinesAsync(_temp.File("missing.txt")).ToListAsync());
    }
}
