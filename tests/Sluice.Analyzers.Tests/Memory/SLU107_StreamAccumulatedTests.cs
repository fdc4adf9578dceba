using Sluice.Analyzers.Memory;
using Sluice.Analyzers.Tests.Harness;

namespace Sluice.Analyzers.Tests.Memory;

public class SLU107_StreamAccumulatedTests
{
    private const string Model = """

        public class Order
        {
            public int Id { get; set; }

            public string Status { get; set; } = "";
        }

        public class Shop : Microsoft.EntityFrameworkCore.DbContext
        {
            public Microsoft.EntityFrameworkCore.DbSet<Order> Orders => Set<Order>();
        }
        """;

    private static RuleTest Analyzer(string source)
        => Verify.Analyzer<StreamAccumulatedAnalyzer>().WithSource(source + Model).WithLibraries(Library.EntityFrameworkCore);

    // ---- Positives -----------------------------------------------------------------------------

    [Fact]
    public Task A_query_accumulated_into_a_list_used_after_the_loop_is_reported()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Linq;

            class Export
            {
                List<int> Run(Shop db)
                {
                    var ids = new List<int>();
                    foreach (var order in db.Orders.Where(o => o.Status == "open"))
                    {
                        var id = order.Id;
                        if (id > 0)
                        {
                            [|ids.Add(id)|];
                        }
                        else
                        {
                            continue;
                        }
                    }

                    return ids;
                }
            }
            """)
            .WithMessages("'ids' collects every item of the query and outlives the loop, so the whole stream ends up in memory; process the items in batches instead of accumulating them")
            .RunAsync();

    [Fact]
    public Task An_async_stream_File_ReadLines_and_a_reader_accumulated_into_fields_are_reported()
        => Analyzer("""
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using System.Data.Common;
            using System.IO;
            using System.Threading.Tasks;

            class Export
            {
                private readonly Dictionary<int, Order> _byId = new();
                private readonly ConcurrentQueue<string> _lines = new();
                private static readonly HashSet<int> Seen = new();

                async Task Run(IAsyncEnumerable<Order> orders, DbDataReader reader, string path)
                {
                    await foreach (var order in orders.WithCancellation(default))
                    {
                        [|_byId[order.Id] = order|];
                    }

                    foreach (var line in File.ReadLines(path))
                    {
                        [|_lines.Enqueue(line)|];
                    }

                    while (await reader.ReadAsync())
                    {
                        [|Seen.Add(reader.GetInt32(0))|];
                    }
                }
            }
            """)
            .WithMessages(
                "'_byId' collects every item of the async stream and outlives the loop, so the whole stream ends up in memory; process the items in batches instead of accumulating them",
                "'_lines' collects every item of File.ReadLines and outlives the loop, so the whole stream ends up in memory; process the items in batches instead of accumulating them",
                "'Seen' collects every item of the data reader and outlives the loop, so the whole stream ends up in memory; process the items in batches instead of accumulating them")
            .RunAsync();

    [Fact]
    public Task A_synchronous_IDataReader_loop_is_reported()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Data;

            class Export
            {
                List<string> Run(IDataReader reader)
                {
                    var names = new List<string>();
                    while (reader.Read())
                    {
                        [|names.Add(reader.GetString(0))|];
                    }

                    return names;
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_reader_over_constant_unbounded_SQL_is_reported()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Data.Common;
            using System.Threading.Tasks;

            class Reminders
            {
                async Task<List<long>> Overdue(DbConnection connection)
                {
                    using var command = connection.CreateCommand();
                    command.CommandText = "SELECT loan_id FROM loans WHERE due_on < CURRENT_DATE AND returned = false";
                    var overdue = new List<long>();
                    using var reader = await command.ExecuteReaderAsync();
                    while (await reader.ReadAsync())
                    {
                        [|overdue.Add(reader.GetInt64(0))|];
                    }

                    return overdue;
                }
            }
            """).RunAsync();

    // ---- Near misses ---------------------------------------------------------------------------

    [Fact]
    public Task A_generic_helper_that_collects_the_callers_stream_is_silent()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;

            static class StreamExtensions
            {
                public static async Task<List<TItem>> CollectAsync<TItem>(this IAsyncEnumerable<TItem> items, CancellationToken token)
                {
                    var collected = new List<TItem>();
                    await foreach (var item in items.WithCancellation(token).ConfigureAwait(false))
                    {
                        collected.Add(item);
                    }

                    return collected;
                }
            }
            """).RunAsync();

    [Fact]
    public Task Readers_over_bounded_or_callers_SQL_or_the_catalog_are_silent()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Data;
            using System.Data.Common;

            class Loans
            {
                List<long> Latest(DbConnection connection)
                {
                    using var command = connection.CreateCommand();
                    command.CommandText = "SELECT loan_id FROM loans ORDER BY loan_id DESC LIMIT 50";
                    var latest = new List<long>();
                    using var reader = command.ExecuteReader();
                    while (reader.Read())
                    {
                        latest.Add(reader.GetInt64(0));
                    }

                    return latest;
                }

                List<object> Run(DbConnection connection, string sql)
                {
                    using var command = connection.CreateCommand();
                    command.CommandText = sql;
                    var rows = new List<object>();
                    using var reader = command.ExecuteReader();
                    while (reader.Read())
                    {
                        rows.Add(reader.GetValue(0));
                    }

                    return rows;
                }

                List<string> Tables(IDbCommand command)
                {
                    var tables = new List<string>();
                    using var reader = command.ExecuteReader();
                    while (reader.Read())
                    {
                        tables.Add((string)reader["TABLE_SCHEMA"] + "." + (string)reader["TABLE_NAME"]);
                    }

                    return tables;
                }
            }
            """).RunAsync();


    [Fact]
    public Task A_loop_that_flushes_or_clears_in_batches_is_silent()
        => Analyzer("""
            using System.Collections.Generic;

            class Export
            {
                List<Order> Run(Shop db)
                {
                    var batch = new List<Order>();
                    foreach (var order in db.Orders)
                    {
                        batch.Add(order);
                        if (batch.Count == 500)
                        {
                            Write(batch);
                            batch.Clear();
                        }
                    }

                    var other = new List<Order>();
                    foreach (var order in db.Orders)
                    {
                        other.Add(order);
                        other = new List<Order>();
                    }

                    return batch;
                }

                static void Write(List<Order> orders) { }
            }
            """).RunAsync();

    [Fact]
    public Task A_body_that_does_more_than_accumulate_is_silent()
        => Analyzer("""
            using System;
            using System.Collections.Generic;

            class Export
            {
                List<Order> Run(Shop db)
                {
                    var orders = new List<Order>();
                    foreach (var order in db.Orders)
                    {
                        orders.Add(order);
                        Console.WriteLine(order.Id);
                    }

                    return orders;
                }
            }
            """).RunAsync();

    [Fact]
    public Task In_memory_bounded_and_per_key_aggregating_sources_are_silent()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Linq;

            class Export
            {
                Dictionary<string, int> Run(Shop db, List<Order> recent, Order[] archived)
                {
                    var orders = new List<Order>();
                    foreach (var order in recent)
                    {
                        orders.Add(order);
                    }

                    foreach (var order in archived)
                    {
                        orders.Add(order);
                    }

                    foreach (var order in db.Orders.OrderBy(o => o.Id).Take(100))
                    {
                        orders.Add(order);
                    }

                    var counts = new Dictionary<string, int>();
                    foreach (var order in db.Orders)
                    {
                        counts[order.Status] = counts.GetValueOrDefault(order.Status) + 1;
                    }

                    return counts;
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_collection_that_does_not_outlive_the_loop_is_silent()
        => Analyzer("""
            using System.Collections.Generic;

            class Export
            {
                void Run(Shop db)
                {
                    var unused = new List<Order>();
                    foreach (var order in db.Orders)
                    {
                        unused.Add(order);
                    }

                    foreach (var order in db.Orders)
                    {
                        var local = new List<Order>();
                        local.Add(order);
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task Nothing_is_reported_for_look_alike_streams()
        => Verify.Analyzer<StreamAccumulatedAnalyzer>()
            .WithSource("""
                using System.Collections.Generic;

                class Reader
                {
                    public bool Read() => false;
                }

                class Export
                {
                    List<int> Run(Reader reader, IEnumerable<int> items)
                    {
                        var all = new List<int>();
                        while (reader.Read())
                        {
                            all.Add(1);
                        }

                        foreach (var item in items)
                        {
                            all.Add(item);
                        }

                        return all;
                    }
                }
                """)
            .RunAsync();
}
