using System.Text;

namespace Sluice.AnalyzerBench;

/// <summary>
/// Generates C# that looks like the pipeline code Sluice is for: HTTP and ADO.NET calls, catch blocks, waits, Polly
/// builders, LINQ over records. Most of it is correct code (near misses); some of it is what the rules find.
/// Deterministic for a given seed, so two runs measure the same corpus.
/// </summary>
internal static class Corpus
{
    public static IReadOnlyList<string> Generate(int files, int methodsPerFile, int seed)
    {
        var random = new Random(seed);
        var sources = new List<string>(files);
        for (var file = 0; file < files; file++)
        {
            var text = new StringBuilder();
            text.AppendLine("""
                using System;
                using System.Collections.Generic;
                using System.Data.Common;
                using System.IO;
                using System.Linq;
                using System.Net.Http;
                using System.Text.Json;
                using System.Threading;
                using System.Threading.Tasks;
                using Dapper;
                using Microsoft.EntityFrameworkCore;
                using Microsoft.Extensions.Logging;
                using Pipelines.Data;
                using Polly;
                using Polly.Retry;
                """);
            text.AppendLine($"namespace Pipelines.Module{file};");
            text.AppendLine();
            text.AppendLine($"public sealed record Record{file}(long Id, string Customer, decimal Amount);");
            text.AppendLine();
            text.AppendLine($"public sealed class Job{file}(HttpClient http, ILogger<Job{file}> logger, SemaphoreSlim gate, OrdersDb db, DbConnection connection)");
            text.AppendLine("{");
            for (var method = 0; method < methodsPerFile; method++)
            {
                text.AppendLine(Templates[random.Next(Templates.Length)].Replace("NAME", $"M{method}", StringComparison.Ordinal).Replace("REC", $"Record{file}", StringComparison.Ordinal));
            }

            text.AppendLine("}");
            sources.Add(text.ToString());
        }

        sources.Add(DataModel);
        return sources;
    }

    // The EF Core model the memory templates query: one context for the whole corpus, as in a real service.
    private const string DataModel = """
        using System;
        using Microsoft.EntityFrameworkCore;

        namespace Pipelines.Data;

        public sealed class OrderRow
        {
            public long Id { get; set; }
            public string Customer { get; set; } = "";
            public decimal Amount { get; set; }
            public DateTime CreatedAt { get; set; }
        }

        public sealed class OrdersDb(DbContextOptions<OrdersDb> options) : DbContext(options)
        {
            public DbSet<OrderRow> Orders => Set<OrderRow>();
        }
        """;

    private static readonly string[] Templates =
    [
        """
            public async Task<int> NAMEAsync(IEnumerable<string> lines, CancellationToken token)
            {
                var saved = 0;
                foreach (var line in lines)
                {
                    try
                    {
                        var fields = line.Split(',');
                        var record = new REC(long.Parse(fields[0]), fields[1], decimal.Parse(fields[2]));
                        using var response = await http.PostAsync("https://example.invalid/orders", new StringContent(record.Customer), token);
                        response.EnsureSuccessStatusCode();
                        saved++;
                    }
                    catch (HttpRequestException ex)
                    {
                        logger.LogError(ex, "Posting {Line} failed", line);
                        throw;
                    }
                }

                return saved;
            }
        """,
        """
            public int NAME(IReadOnlyList<REC> records)
            {
                var total = 0;
                foreach (var record in records.Where(r => r.Amount > 10m).OrderBy(r => r.Id))
                {
                    try
                    {
                        total += checked((int)record.Amount);
                    }
                    catch (Exception)
                    {
                        continue;
                    }
                }

                return total;
            }
        """,
        """
            public async Task<string> NAMEAsync(string url)
            {
                var response = await http.GetAsync(url);
                return await response.Content.ReadAsStringAsync();
            }
        """,
        """
            public async Task<long> NAMEAsync(DbConnection connection, CancellationToken token)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = "select count(*) from orders where amount > @min";
                command.CommandTimeout = 0;
                var result = await command.ExecuteScalarAsync(token);
                return Convert.ToInt64(result);
            }
        """,
        """
            public void NAME(Task load)
            {
                gate.Wait();
                try
                {
                    load.Wait(TimeSpan.FromSeconds(30));
                }
                finally
                {
                    gate.Release();
                }
            }
        """,
        """
            public ResiliencePipeline NAME()
                => new ResiliencePipelineBuilder()
                    .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 3, BackoffType = DelayBackoffType.Exponential, UseJitter = true })
                    .AddTimeout(TimeSpan.FromSeconds(10))
                    .Build();
        """,
        """
            public Dictionary<string, decimal> NAME(IEnumerable<REC> records)
            {
                var totals = new Dictionary<string, decimal>();
                foreach (var group in records.GroupBy(r => r.Customer))
                {
                    totals[group.Key] = group.Sum(r => r.Amount);
                }

                if (totals.Count == 0)
                {
                    logger.LogInformation("No records");
                }

                return totals;
            }
        """,
        """
            public async Task NAMEAsync(IAsyncEnumerable<REC> source, Func<REC, Exception, Task> deadLetter, CancellationToken token)
            {
                await foreach (var record in source.WithCancellation(token))
                {
                    try
                    {
                        await http.PutAsync($"https://example.invalid/orders/{record.Id}", new StringContent(record.Customer), token);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        await deadLetter(record, ex);
                    }
                }
            }
        """,
        """
            public async Task<decimal> NAMEAsync(DateTime since, CancellationToken token)
            {
                var total = 0m;
                var orders = await db.Orders.Where(o => o.CreatedAt >= since).ToListAsync(token);
                foreach (var order in orders)
                {
                    total += order.Amount;
                }

                return total;
            }
        """,
        """
            public async Task<List<OrderRow>> NAMEAsync(string customer, CancellationToken token)
                => await db.Orders.Where(o => o.Customer == customer).OrderBy(o => o.Id).Take(100).ToListAsync(token);
        """,
        """
            public async Task<int> NAMEAsync(IAsyncEnumerable<REC> source, CancellationToken token)
            {
                var saved = 0;
                await foreach (var record in source.WithCancellation(token))
                {
                    db.Orders.Add(new OrderRow { Id = record.Id, Customer = record.Customer, Amount = record.Amount });
                    if (++saved % 500 == 0)
                    {
                        await db.SaveChangesAsync(token);
                        db.ChangeTracker.Clear();
                    }
                }

                await db.SaveChangesAsync(token);
                return saved;
            }
        """,
        """
            public long NAME(string path)
            {
                long count = 0;
                foreach (var line in File.ReadAllLines(path))
                {
                    if (line.Length > 0)
                    {
                        count++;
                    }
                }

                return count;
            }
        """,
        """
            public IEnumerable<string> NAME(string path)
                => File.ReadLines(path).Where(l => !l.StartsWith('#'));
        """,
        """
            public async Task<decimal> NAMEAsync(CancellationToken token)
            {
                var rows = await connection.QueryAsync<REC>(new CommandDefinition("select id, customer, amount from orders where id = @id", new { id = 1 }, cancellationToken: token));
                return rows.Sum(r => r.Amount);
            }
        """,
        """
            public async Task<int> NAMEAsync(Stream json, CancellationToken token)
            {
                var records = await JsonSerializer.DeserializeAsync<List<REC>>(json, cancellationToken: token);
                return records?.Count ?? 0;
            }
        """,
        """
            public async Task<string> NAMEAsync(string url, CancellationToken token)
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        return await http.GetStringAsync(url, token);
                    }
                    catch (HttpRequestException ex) when (attempt < 3)
                    {
                        logger.LogWarning(ex, "Attempt {Attempt} failed", attempt);
                        await Task.Delay(TimeSpan.FromSeconds(attempt), token);
                    }
                }
            }
        """,
        """
            public async Task NAMEAsync(IReadOnlyList<REC> records, CancellationToken token)
            {
                await Task.WhenAll(records.Select(r => http.PutAsync($"https://example.invalid/orders/{r.Id}", new StringContent(r.Customer), token)));
            }
        """,
        """
            public async Task NAMEAsync(REC record, CancellationToken token)
            {
                var pipeline = new ResiliencePipelineBuilder()
                    .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 4, Delay = TimeSpan.FromSeconds(2) })
                    .AddTimeout(TimeSpan.FromSeconds(10))
                    .Build();
                await pipeline.ExecuteAsync(async ct =>
                {
                    using var response = await http.PostAsync("https://example.invalid/payments", new StringContent(record.Customer), ct);
                    response.EnsureSuccessStatusCode();
                }, token);
            }
        """,
    ];
}
