namespace Sluice.Benchmarks;

/// <summary>A row as a data pipeline would read it.</summary>
public sealed record Row(long Id, int CustomerId, decimal Amount);

/// <summary>Lazily generated rows, standing in for a database reader.</summary>
public static class Source
{
    public static IEnumerable<Row> Rows(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return new Row(i, i % 9_973, (i % 1_000) / 10m);
        }
    }

    public static async IAsyncEnumerable<Row> RowsAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (i % 10_000 == 0)
            {
                await Task.Yield();
            }

            yield return new Row(i, i % 9_973, (i % 1_000) / 10m);
        }
    }
}
