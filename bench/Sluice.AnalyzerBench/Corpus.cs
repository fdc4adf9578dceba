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
                using System.Linq;
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;
                using Microsoft.Extensions.Logging;
                using Polly;
                using Polly.Retry;
                """);
            text.AppendLine($"namespace Pipelines.Module{file};");
            text.AppendLine();
            text.AppendLine($"public sealed record Record{file}(long Id, string Customer, decimal Amount);");
            text.AppendLine();
            text.AppendLine($"public sealed class Job{file}(HttpClient http, ILogger<Job{file}> logger, SemaphoreSlim gate)");
            text.AppendLine("{");
            for (var method = 0; method < methodsPerFile; method++)
            {
                text.AppendLine(Templates[random.Next(Templates.Length)].Replace("NAME", $"M{method}", StringComparison.Ordinal).Replace("REC", $"Record{file}", StringComparison.Ordinal));
            }

            text.AppendLine("}");
            sources.Add(text.ToString());
        }

        return sources;
    }

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
    ];
}
