using Sluice.Analyzers.Memory;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Memory;

namespace Sluice.Analyzers.Tests.Memory;

public class SLU107_StreamAccumulatedCodeFixTests
{
    private const string Model = """

        public class Order
        {
            public int Id { get; set; }

            public static Order Parse(string line) => new() { Id = int.Parse(line) };
        }

        public class Shop : Microsoft.EntityFrameworkCore.DbContext
        {
            public Microsoft.EntityFrameworkCore.DbSet<Order> Orders => Set<Order>();
        }
        """;

    private static RuleTest Fix(string source, string fixedSource)
        => Verify.CodeFix<StreamAccumulatedAnalyzer, StreamAccumulatedCodeFix>(StreamAccumulatedCodeFix.InBatchesKey)
            .WithSource(source + Model)
            .WithFixedSource(fixedSource + Model)
            .WithLibraries(Library.EntityFrameworkCore, Library.SluiceRuntime);

    private static RuleTest NoFix(string source)
        => Verify.CodeFix<StreamAccumulatedAnalyzer, StreamAccumulatedCodeFix>(StreamAccumulatedCodeFix.InBatchesKey)
            .WithSource(source + Model)
            .WithLibraries(Library.EntityFrameworkCore, Library.SluiceRuntime)
            .ExpectNoFix();

    // ---- The fix -------------------------------------------------------------------------------

    [Fact]
    public Task File_lines_collected_with_a_filter_then_processed_are_batched()
        => Fix(
            """
            using System;
            using System.Collections.Generic;
            using System.IO;

            class Import
            {
                void Run(string path)
                {
                    // every order of the file
                    var orders = new List<Order>();
                    foreach (var line in File.ReadLines(path))
                    {
                        var trimmed = line.Trim();
                        if (trimmed.Length > 0)
                        {
                            [|orders.Add(Order.Parse(trimmed))|]; // parsed
                        }
                    }

                    foreach (var order in orders)
                    {
                        // one at a time
                        Console.WriteLine(order.Id);
                    }
                }
            }
            """,
            """
            using System;
            using System.Collections.Generic;
            using System.IO;
            using Sluice;

            class Import
            {
                void Run(string path)
                {
                    // every order of the file
                    foreach (var batch in File.ReadLines(path).InBatches(1000))
                    {
                        var orders = new List<Order>();
                        foreach (var line in batch)
                        {
                            var trimmed = line.Trim();
                            if (trimmed.Length > 0)
                            {
                                orders.Add(Order.Parse(trimmed)); // parsed
                            }
                        }

                        foreach (var order in orders)
                        {
                            // one at a time
                            Console.WriteLine(order.Id);
                        }
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task An_async_file_stream_keeps_await_foreach_and_its_cancellation_on_the_batches()
        => Fix(
            """
            using System.Collections.Generic;
            using Sluice;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;

            class Import
            {
                async Task Run(string path, Shop db, CancellationToken ct)
                {
                    List<string> ids = [];
                    await foreach (var line in File.ReadLinesAsync(path).WithCancellation(ct).ConfigureAwait(false))
                    {
                        if (line.StartsWith('#'))
                        {
                            continue;
                        }

                        [|ids.Add(line)|];
                    }

                    foreach (var id in ids)
                    {
                        db.Orders.Add(Order.Parse(id));
                        await db.SaveChangesAsync(ct);
                    }
                }

                async Task RunSluice(string path, CancellationToken ct)
                {
                    var orders = new List<Order>();
                    await foreach (var line in SluiceFile.ReadLinesAsync(path, ct))
                    {
                        [|orders.Add(Order.Parse(line))|];
                    }

                    foreach (var order in orders)
                    {
                        await Task.Delay(order.Id, ct);
                    }
                }
            }
            """,
            """
            using System.Collections.Generic;
            using Sluice;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;

            class Import
            {
                async Task Run(string path, Shop db, CancellationToken ct)
                {
                    await foreach (var batch in File.ReadLinesAsync(path).InBatches(1000).WithCancellation(ct).ConfigureAwait(false))
                    {
                        List<string> ids = [];
                        foreach (var line in batch)
                        {
                            if (line.StartsWith('#'))
                            {
                                continue;
                            }

                            ids.Add(line);
                        }

                        foreach (var id in ids)
                        {
                            db.Orders.Add(Order.Parse(id));
                            await db.SaveChangesAsync(ct);
                        }
                    }
                }

                async Task RunSluice(string path, CancellationToken ct)
                {
                    await foreach (var batch in SluiceFile.ReadLinesAsync(path, ct).InBatches(1000))
                    {
                        var orders = new List<Order>();
                        foreach (var line in batch)
                        {
                            orders.Add(Order.Parse(line));
                        }

                        foreach (var order in orders)
                        {
                            await Task.Delay(order.Id, ct);
                        }
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task The_batch_size_option_LINQ_on_the_lines_and_a_taken_name_are_respected()
        => Fix(
            """
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Linq;

            class Import
            {
                int Run(string path)
                {
                    var orders = new List<Order>();
                    foreach (var line in File.ReadLines(path).Skip(1).Where(l => l.Length > 0))
                    {
                        [|orders.Add(Order.Parse(line))|];
                    }

                    foreach (var order in orders)
                    {
                        if (order.Id < 0)
                        {
                            return order.Id;
                        }

                        Console.WriteLine(order.Id);
                    }

                    var batch = 0;
                    return batch;
                }
            }
            """,
            """
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Linq;
            using Sluice;

            class Import
            {
                int Run(string path)
                {
                    foreach (var batch2 in File.ReadLines(path).Skip(1).Where(l => l.Length > 0).InBatches(250))
                    {
                        var orders = new List<Order>();
                        foreach (var line in batch2)
                        {
                            orders.Add(Order.Parse(line));
                        }

                        foreach (var order in orders)
                        {
                            if (order.Id < 0)
                            {
                                return order.Id;
                            }

                            Console.WriteLine(order.Id);
                        }
                    }

                    var batch = 0;
                    return batch;
                }
            }
            """)
            .WithEditorConfig("sluice.SLU107.batch_size = 250")
            .RunAsync();

    [Fact]
    public Task Fix_all_batches_each_collect_then_process_pair()
        => Fix(
            """
            using System;
            using System.Collections.Generic;
            using System.IO;

            class Import
            {
                void Run(string orderPath, string customerPath)
                {
                    var orders = new List<Order>();
                    foreach (var line in File.ReadLines(orderPath))
                    {
                        [|orders.Add(Order.Parse(line))|];
                    }

                    foreach (var order in orders)
                    {
                        Console.WriteLine(order.Id);
                    }

                    var names = new List<string>();
                    foreach (var line in File.ReadLines(customerPath))
                    {
                        [|names.Add(line)|];
                    }

                    foreach (var name in names)
                    {
                        Console.WriteLine(name);
                    }
                }
            }
            """,
            """
            using System;
            using System.Collections.Generic;
            using System.IO;
            using Sluice;

            class Import
            {
                void Run(string orderPath, string customerPath)
                {
                    foreach (var batch in File.ReadLines(orderPath).InBatches(1000))
                    {
                        var orders = new List<Order>();
                        foreach (var line in batch)
                        {
                            orders.Add(Order.Parse(line));
                        }

                        foreach (var order in orders)
                        {
                            Console.WriteLine(order.Id);
                        }
                    }

                    foreach (var batch in File.ReadLines(customerPath).InBatches(1000))
                    {
                        var names = new List<string>();
                        foreach (var line in batch)
                        {
                            names.Add(line);
                        }

                        foreach (var name in names)
                        {
                            Console.WriteLine(name);
                        }
                    }
                }
            }
            """).RunAsync();

    // ---- No fix --------------------------------------------------------------------------------

    [Fact]
    public Task No_fix_without_the_runtime()
        => Verify.CodeFix<StreamAccumulatedAnalyzer, StreamAccumulatedCodeFix>(StreamAccumulatedCodeFix.InBatchesKey)
            .WithSource("""
                using System;
                using System.Collections.Generic;
                using System.IO;

                class Import
                {
                    void Run(string path)
                    {
                        var names = new List<string>();
                        foreach (var line in File.ReadLines(path))
                        {
                            [|names.Add(line)|];
                        }

                        foreach (var name in names)
                        {
                            Console.WriteLine(name);
                        }
                    }
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task No_fix_for_a_query_an_async_stream_of_unknown_origin_or_a_reader()
        => NoFix("""
            using System;
            using System.Collections.Generic;
            using System.Data.Common;
            using System.Threading.Tasks;

            class Import
            {
                async Task Run(Shop db, IAsyncEnumerable<Order> changed, DbDataReader reader)
                {
                    var open = new List<Order>();
                    foreach (var order in db.Orders)
                    {
                        [|open.Add(order)|];
                    }

                    foreach (var order in open)
                    {
                        Console.WriteLine(order.Id);
                    }

                    var streamed = new List<Order>();
                    await foreach (var order in changed)
                    {
                        [|streamed.Add(order)|];
                    }

                    foreach (var order in streamed)
                    {
                        Console.WriteLine(order.Id);
                    }

                    var ids = new List<int>();
                    while (await reader.ReadAsync())
                    {
                        [|ids.Add(reader.GetInt32(0))|];
                    }

                    foreach (var id in ids)
                    {
                        Console.WriteLine(id);
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task No_fix_when_the_list_is_used_again_returned_or_not_processed_right_after_the_loop()
        => NoFix("""
            using System;
            using System.Collections.Generic;
            using System.IO;

            class Import
            {
                List<string> Run(string path)
                {
                    var twice = new List<string>();
                    foreach (var line in File.ReadLines(path))
                    {
                        [|twice.Add(line)|];
                    }

                    foreach (var name in twice)
                    {
                        Console.WriteLine(name);
                    }

                    Console.WriteLine(twice.Count);

                    var between = new List<string>();
                    foreach (var line in File.ReadLines(path))
                    {
                        [|between.Add(line)|];
                    }

                    Console.WriteLine("processing");
                    foreach (var name in between)
                    {
                        Console.WriteLine(name);
                    }

                    var returned = new List<string>();
                    foreach (var line in File.ReadLines(path))
                    {
                        [|returned.Add(line)|];
                    }

                    return returned;
                }
            }
            """).RunAsync();

    [Fact]
    public Task No_fix_for_sets_dictionaries_presized_lists_or_a_list_declared_earlier()
        => NoFix("""
            using System;
            using System.Collections.Generic;
            using System.IO;

            class Import
            {
                void Run(string path)
                {
                    var unique = new HashSet<string>();
                    foreach (var line in File.ReadLines(path))
                    {
                        [|unique.Add(line)|];
                    }

                    foreach (var name in unique)
                    {
                        Console.WriteLine(name);
                    }

                    var byName = new Dictionary<string, int>();
                    foreach (var line in File.ReadLines(path))
                    {
                        [|byName.Add(line, line.Length)|];
                    }

                    foreach (var pair in byName)
                    {
                        Console.WriteLine(pair.Key);
                    }

                    var presized = new List<string>(100_000);
                    foreach (var line in File.ReadLines(path))
                    {
                        [|presized.Add(line)|];
                    }

                    foreach (var name in presized)
                    {
                        Console.WriteLine(name);
                    }

                    var earlier = new List<string>();
                    Console.WriteLine("reading");
                    foreach (var line in File.ReadLines(path))
                    {
                        [|earlier.Add(line)|];
                    }

                    foreach (var name in earlier)
                    {
                        Console.WriteLine(name);
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task No_fix_when_the_processing_loop_breaks()
        => NoFix("""
            using System;
            using System.Collections.Generic;
            using System.IO;

            class Import
            {
                void Run(string path)
                {
                    // Inside batches the break would stop at the end of a batch, not at the end of the data.
                    var stopped = new List<string>();
                    foreach (var line in File.ReadLines(path))
                    {
                        [|stopped.Add(line)|];
                    }

                    foreach (var name in stopped)
                    {
                        if (name.Length == 0)
                        {
                            break;
                        }

                        Console.WriteLine(name);
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task No_fix_when_the_filter_reads_what_the_processing_changes()
        => NoFix("""
            using System;
            using System.Collections.Generic;
            using System.IO;

            class Import
            {
                void Run(string path, HashSet<string> seen)
                {
                    // Batched, batch 2 would be filtered against the names batch 1 added.
                    var fresh = new List<string>();
                    foreach (var line in File.ReadLines(path))
                    {
                        if (!seen.Contains(line))
                        {
                            [|fresh.Add(line)|];
                        }
                    }

                    foreach (var name in fresh)
                    {
                        seen.Add(name);
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task No_fix_when_the_collecting_body_writes_a_variable_declared_outside_it()
        => NoFix("""
            using System;
            using System.Collections.Generic;
            using System.IO;

            class Import
            {
                void Run(string path)
                {
                    // Batched, the processing would see a partial count.
                    var count = 0;
                    var numbered = new List<string>();
                    foreach (var line in File.ReadLines(path))
                    {
                        var number = ++count;
                        [|numbered.Add(number + ": " + line)|];
                    }

                    foreach (var name in numbered)
                    {
                        Console.WriteLine(name + " of " + count);
                    }
                }
            }
            """).RunAsync();
}
