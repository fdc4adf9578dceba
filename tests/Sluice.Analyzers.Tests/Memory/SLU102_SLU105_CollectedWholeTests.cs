using Sluice.Analyzers.Memory;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Memory;

namespace Sluice.Analyzers.Tests.Memory;

/// <summary>
/// A file's content collected whole where it is then used one piece at a time: text split into lines later in the
/// member (SLU102), CsvHelper records collected into a list (SLU102) and a streamed JSON array collected again with
/// ToListAsync (SLU105).
/// </summary>
public class SLU102_SLU105_CollectedWholeTests
{
    private const string Model = """

        public class Order
        {
            public int Id { get; set; }
        }
        """;

    private static RuleTest WholeFile(string source)
        => Verify.Analyzer<WholeFileReadAnalyzer>().WithSource(source + Model).WithLibraries(Library.CsvHelper);

    private static RuleTest WholeJson(string source)
        => Verify.Analyzer<WholeJsonArrayDeserializedAnalyzer>().WithSource(source + Model);

    // ---- SLU102: ReadAllText split into lines later --------------------------------------------

    [Fact]
    public Task Text_held_in_a_local_and_split_into_lines_later_is_reported()
        => WholeFile("""
            using System;
            using System.IO;
            using System.Threading.Tasks;

            class Import
            {
                async Task<int> Run(string path)
                {
                    var text = [|File.ReadAllText(path)|];
                    if (string.IsNullOrWhiteSpace(text))
                    {
                        return 0;
                    }

                    var count = 0;
                    foreach (var line in text.Split('\n'))
                    {
                        count += line.Length;
                    }

                    string content = await [|File.ReadAllTextAsync(path)|];
                    Console.WriteLine("read");
                    var lines = content.Split(Environment.NewLine);
                    return count + lines.Length;
                }
            }
            """)
            .WithMessages(
                "'path' is read whole into memory by File.ReadAllText() and split into lines; stream it with File.ReadLines()",
                "'path' is read whole into memory by File.ReadAllTextAsync() and split into lines; stream it with File.ReadLinesAsync()")
            .RunAsync();

    [Fact]
    public Task Text_kept_for_other_uses_split_repeatedly_or_reassigned_is_silent()
        => WholeFile("""
            using System;
            using System.IO;
            using System.Linq;

            class Import
            {
                string Run(string path, string[] keys)
                {
                    var text = File.ReadAllText(path);
                    var lines = text.Split('\n');
                    Console.WriteLine(text.Length);

                    var again = File.ReadAllText(path);
                    var counts = keys.Select(k => again.Split('\n').Count(l => l.StartsWith(k))).ToList();

                    var changing = File.ReadAllText(path);
                    changing = changing.Replace("\r", "");
                    var parts = changing.Split('\n');

                    var csv = File.ReadAllText(path);
                    var fields = csv.Split(',');

                    var twice = File.ReadAllText(path);
                    var first = twice.Split('\n');
                    var second = twice.Split("\r\n");

                    var kept = File.ReadAllText(path);
                    var rows = kept.Split('\n');
                    return kept;
                }
            }
            """).RunAsync();

    // ---- SLU102: CsvHelper records collected whole ---------------------------------------------

    [Fact]
    public Task CsvHelper_records_collected_and_then_used_one_at_a_time_are_reported()
        => WholeFile("""
            using System.Linq;
            using System.Threading.Tasks;
            using CsvHelper;

            class Import
            {
                async Task<int> Run(CsvReader csv, CsvReader other, CsvReader third)
                {
                    var records = [|csv.GetRecords<Order>().ToList()|];
                    var total = 0;
                    foreach (var record in records)
                    {
                        total += record.Id;
                    }

                    var positive = [|other.GetRecords<Order>().ToArray()|].Count(o => o.Id > 0);

                    foreach (var order in await [|third.GetRecordsAsync<Order>().ToListAsync()|])
                    {
                        total += order.Id;
                    }

                    return total + positive;
                }
            }
            """)
            .WithMessages(
                "Every record of 'csv' is read whole into memory by GetRecords<Order>().ToList() and then used one record at a time; stream it with GetRecords<Order>() itself",
                "Every record of 'other' is read whole into memory by GetRecords<Order>().ToArray() and then used one record at a time; stream it with GetRecords<Order>() itself",
                "Every record of 'third' is read whole into memory by GetRecordsAsync<Order>().ToListAsync() and then used one record at a time; stream it with GetRecordsAsync<Order>() itself")
            .RunAsync();

    [Fact]
    public Task CsvHelper_records_kept_whole_or_bounded_are_silent()
        => WholeFile("""
            using System.Collections.Generic;
            using System.Linq;
            using CsvHelper;

            class Import
            {
                private List<Order> _cache = new();

                List<Order> Load(CsvReader csv) => csv.GetRecords<Order>().ToList();

                int Run(CsvReader csv, CsvReader other, CsvReader third)
                {
                    _cache = csv.GetRecords<Order>().ToList();

                    var records = other.GetRecords<Order>().ToList();
                    var byId = records.ToDictionary(r => r.Id);
                    var count = records.Count;

                    var sorted = third.GetRecords<Order>().ToList();
                    sorted.Sort((a, b) => a.Id.CompareTo(b.Id));

                    return byId.Count + count + sorted.Count;
                }
            }
            """).RunAsync();

    [Fact]
    public Task Collected_CsvHelper_records_iterated_once_are_iterated_as_they_are_read()
        => Verify.CodeFix<WholeFileReadAnalyzer, WholeFileReadCodeFix>(WholeFileReadCodeFix.ReadLinesKey)
            .WithSource("""
                using System.Linq;
                using System.Threading;
                using System.Threading.Tasks;
                using CsvHelper;

                class Import
                {
                    async Task<int> Run(CsvReader csv, CsvReader other, CancellationToken ct)
                    {
                        var total = 0;
                        foreach (var record in [|csv.GetRecords<Order>().ToList()|])
                        {
                            total += record.Id;
                        }

                        // the records, collected
                        var records = await [|other.GetRecordsAsync<Order>().ToListAsync(ct)|];
                        foreach (var record in records)
                        {
                            total += record.Id;
                        }

                        return total;
                    }
                }
                """ + Model)
            .WithFixedSource("""
                using System.Linq;
                using System.Threading;
                using System.Threading.Tasks;
                using CsvHelper;

                class Import
                {
                    async Task<int> Run(CsvReader csv, CsvReader other, CancellationToken ct)
                    {
                        var total = 0;
                        foreach (var record in csv.GetRecords<Order>())
                        {
                            total += record.Id;
                        }

                        // the records, collected
                        await foreach (var record in other.GetRecordsAsync<Order>().WithCancellation(ct))
                        {
                            total += record.Id;
                        }

                        return total;
                    }
                }
                """ + Model)
            .WithLibraries(Library.CsvHelper)
            .RunAsync();

    [Fact]
    public Task No_fix_when_collected_CsvHelper_records_are_queried_or_the_loop_is_not_next()
        => Verify.CodeFix<WholeFileReadAnalyzer, WholeFileReadCodeFix>()
            .WithSource("""
                using System;
                using System.Linq;
                using CsvHelper;

                class Import
                {
                    int Run(CsvReader csv, CsvReader other)
                    {
                        var positive = [|csv.GetRecords<Order>().ToList()|].Count(o => o.Id > 0);

                        var records = [|other.GetRecords<Order>().ToList()|];
                        Console.WriteLine("read");
                        foreach (var record in records)
                        {
                            positive += record.Id;
                        }

                        return positive;
                    }
                }
                """ + Model)
            .WithLibraries(Library.CsvHelper)
            .ExpectNoFix()
            .RunAsync();

    // ---- SLU105: a streamed JSON array collected again -----------------------------------------

    [Fact]
    public Task A_streamed_JSON_array_collected_with_ToListAsync_and_used_one_at_a_time_is_reported()
        => WholeJson("""
            using System.IO;
            using System.Linq;
            using System.Text.Json;
            using System.Threading.Tasks;

            class Import
            {
                async Task<int> Run(Stream body, string path)
                {
                    var orders = await [|JsonSerializer.DeserializeAsyncEnumerable<Order>(body).ToListAsync()|];
                    var total = 0;
                    foreach (var order in orders)
                    {
                        total += order?.Id ?? 0;
                    }

                    await using var file = File.OpenRead(path);
                    var count = (await [|JsonSerializer.DeserializeAsyncEnumerable<Order>(file).ToArrayAsync()|]).Count(o => o is not null);
                    return total + count;
                }
            }
            """)
            .WithMessages(
                "The JSON array in 'body' is deserialized whole into 'List<Order?>', then used one element at a time; use each element as it arrives, without ToListAsync(), with JsonSerializer.DeserializeAsyncEnumerable<Order>()",
                "The JSON array in 'file' is deserialized whole into 'Order?[]', then used one element at a time; use each element as it arrives, without ToArrayAsync(), with JsonSerializer.DeserializeAsyncEnumerable<Order>()")
            .RunAsync();

    [Fact]
    public Task A_streamed_JSON_array_collected_and_kept_or_read_from_memory_is_silent()
        => WholeJson("""
            using System.Collections.Generic;
            using System.IO;
            using System.Linq;
            using System.Text.Json;
            using System.Threading.Tasks;

            class Import
            {
                async Task<List<Order?>> Load(Stream body) => await JsonSerializer.DeserializeAsyncEnumerable<Order>(body).ToListAsync();

                async Task<int> Run(Stream body, byte[] bytes)
                {
                    var orders = await JsonSerializer.DeserializeAsyncEnumerable<Order>(body).ToListAsync();
                    var count = orders.Count;

                    var inMemory = await JsonSerializer.DeserializeAsyncEnumerable<Order>(new MemoryStream(bytes)).ToListAsync();
                    foreach (var order in inMemory)
                    {
                        count++;
                    }

                    await foreach (var order in JsonSerializer.DeserializeAsyncEnumerable<Order>(body))
                    {
                        count++;
                    }

                    return count + orders.Count;
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_collected_JSON_stream_iterated_once_is_iterated_as_it_arrives()
        => Verify.CodeFix<WholeJsonArrayDeserializedAnalyzer, WholeJsonArrayDeserializedCodeFix>(WholeJsonArrayDeserializedCodeFix.StreamKey)
            .WithSource("""
                using System.IO;
                using System.Linq;
                using System.Text.Json;
                using System.Threading;
                using System.Threading.Tasks;

                class Import
                {
                    async Task<int> Run(Stream body, Stream other, CancellationToken ct)
                    {
                        var total = 0;
                        var orders = await [|JsonSerializer.DeserializeAsyncEnumerable<Order>(body).ToListAsync(ct)|].ConfigureAwait(false);
                        foreach (var order in orders)
                        {
                            total += order?.Id ?? 0;
                        }

                        foreach (var order in await [|JsonSerializer.DeserializeAsyncEnumerable<Order>(other).ToArrayAsync()|])
                        {
                            total += order?.Id ?? 0;
                        }

                        return total;
                    }
                }
                """ + Model)
            .WithFixedSource("""
                using System.IO;
                using System.Linq;
                using System.Text.Json;
                using System.Threading;
                using System.Threading.Tasks;

                class Import
                {
                    async Task<int> Run(Stream body, Stream other, CancellationToken ct)
                    {
                        var total = 0;
                        await foreach (var order in JsonSerializer.DeserializeAsyncEnumerable<Order>(body).WithCancellation(ct).ConfigureAwait(false))
                        {
                            total += order?.Id ?? 0;
                        }

                        await foreach (var order in JsonSerializer.DeserializeAsyncEnumerable<Order>(other))
                        {
                            total += order?.Id ?? 0;
                        }

                        return total;
                    }
                }
                """ + Model)
            .RunAsync();

    [Fact]
    public Task No_fix_when_a_collected_JSON_stream_is_queried()
        => Verify.CodeFix<WholeJsonArrayDeserializedAnalyzer, WholeJsonArrayDeserializedCodeFix>()
            .WithSource("""
                using System.IO;
                using System.Linq;
                using System.Text.Json;
                using System.Threading.Tasks;

                class Import
                {
                    async Task<int> Run(Stream body)
                        => (await [|JsonSerializer.DeserializeAsyncEnumerable<Order>(body).ToListAsync()|]).Count(o => o is not null);
                }
                """ + Model)
            .ExpectNoFix()
            .RunAsync();
}
