using Sluice.Analyzers.Memory;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Memory;

namespace Sluice.Analyzers.Tests.Memory;

public class SLU101_UnboundedQueryMaterializedFixTests
{
    private static RuleTest Fix(string? key = null)
        => Verify.CodeFix<UnboundedQueryMaterializedAnalyzer, UnboundedQueryMaterializedCodeFix>(key)
            .WithLibraries(Library.EntityFrameworkCore);

    private static RuleTest Fix(string source, string fixedSource, string? key = null)
        => Fix(key).WithSource(source).WithFixedSource(fixedSource)
            .WithSource(SLU101_UnboundedQueryMaterializedTests.Model).WithFixedSource(SLU101_UnboundedQueryMaterializedTests.Model);

    // ---- Streaming (the fix dotnet format applies) ---------------------------------------------

    [Fact]
    public Task A_ToListAsync_local_iterated_once_becomes_await_foreach_over_AsAsyncEnumerable_with_the_token()
        => Fix("""
            using System;
            using System.Linq;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.EntityFrameworkCore;

            class Export
            {
                async Task<decimal> Run(ShopContext db, CancellationToken token)
                {
                    decimal total = 0;
                    // Every open order.
                    var orders = await [|db.Orders.Where(o => o.Status == "open").ToListAsync(token)|];
                    foreach (var o in orders)
                    {
                        total += o.Amount;
                        Console.WriteLine(o.Id);
                    }

                    return total;
                }
            }
            """, """
            using System;
            using System.Linq;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.EntityFrameworkCore;

            class Export
            {
                async Task<decimal> Run(ShopContext db, CancellationToken token)
                {
                    decimal total = 0;
                    // Every open order.
                    await foreach (var o in db.Orders.Where(o => o.Status == "open").AsAsyncEnumerable().WithCancellation(token))
                    {
                        total += o.Amount;
                        Console.WriteLine(o.Id);
                    }

                    return total;
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_sync_ToList_in_the_foreach_becomes_AsEnumerable()
        => Fix("""
            using System;
            using System.Linq;

            class Export
            {
                void Run(ShopContext db)
                {
                    foreach (var o in [|db.Orders.ToList()|])
                    {
                        Console.WriteLine(o.Id);
                    }
                }
            }
            """, """
            using System;
            using System.Linq;

            class Export
            {
                void Run(ShopContext db)
                {
                    foreach (var o in db.Orders.AsEnumerable())
                    {
                        Console.WriteLine(o.Id);
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_query_expression_materialized_in_the_foreach_is_streamed_and_Fix_All_fixes_each()
        => Fix("""
            using System;
            using System.Linq;

            class Export
            {
                void Run(ShopContext db)
                {
                    foreach (var o in [|(from o in db.Orders where o.Status == "open" select o).ToList()|])
                    {
                        Console.WriteLine(o.Id);
                    }

                    foreach (var amount in [|(from o in db.Orders select o.Amount).ToArray()|])
                    {
                        Console.WriteLine(amount);
                    }
                }
            }
            """, """
            using System;
            using System.Linq;

            class Export
            {
                void Run(ShopContext db)
                {
                    foreach (var o in (from o in db.Orders where o.Status == "open" select o).AsEnumerable())
                    {
                        Console.WriteLine(o.Id);
                    }

                    foreach (var amount in (from o in db.Orders select o.Amount).AsEnumerable())
                    {
                        Console.WriteLine(amount);
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task An_awaited_ToArrayAsync_in_the_foreach_keeps_ConfigureAwait_and_adds_the_tasks_using()
        => Fix("""
            using System;
            using System.Linq;
            using Microsoft.EntityFrameworkCore;

            class Export
            {
                async System.Threading.Tasks.Task Run(ShopContext db, System.Threading.CancellationToken ct)
                {
                    foreach (var o in await [|db.Orders.ToArrayAsync(ct)|].ConfigureAwait(false))
                        Console.WriteLine(o.Id);
                }
            }
            """, """
            using System;
            using System.Linq;
            using System.Threading.Tasks;
            using Microsoft.EntityFrameworkCore;

            class Export
            {
                async System.Threading.Tasks.Task Run(ShopContext db, System.Threading.CancellationToken ct)
                {
                    await foreach (var o in db.Orders.AsAsyncEnumerable().WithCancellation(ct).ConfigureAwait(false))
                        Console.WriteLine(o.Id);
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_ToListAsync_without_a_token_streams_without_WithCancellation_in_top_level_statements()
        => Fix("""
            using System;
            using System.Linq;
            using Microsoft.EntityFrameworkCore;

            using var db = new ShopContext();
            var orders = await [|db.Orders.ToListAsync()|];
            foreach (var o in orders)
            {
                Console.WriteLine(o.Id);
            }
            """, """
            using System;
            using System.Linq;
            using Microsoft.EntityFrameworkCore;

            using var db = new ShopContext();
            await foreach (var o in db.Orders.AsAsyncEnumerable())
            {
                Console.WriteLine(o.Id);
            }
            """).AsExecutable().RunAsync();

    [Fact]
    public Task Fix_All_streams_every_loop_but_one_whose_body_queries_the_context_again()
        => Fix("""
            using System;
            using System.Linq;

            class Export
            {
                void Run(ShopContext db)
                {
                    foreach (var o in [|db.Orders.ToList()|])
                    {
                        Console.WriteLine(o.Id);
                    }

                    var countries = [|db.Countries.ToArray()|];
                    foreach (var c in countries)
                    {
                        foreach (var code in [|db.Countries.Select(x => x.Code).ToList()|])
                        {
                            Console.WriteLine(c.Code + code);
                        }
                    }
                }
            }
            """, """
            using System;
            using System.Linq;

            class Export
            {
                void Run(ShopContext db)
                {
                    foreach (var o in db.Orders.AsEnumerable())
                    {
                        Console.WriteLine(o.Id);
                    }

                    var countries = [|db.Countries.ToArray()|];
                    foreach (var c in countries)
                    {
                        foreach (var code in db.Countries.Select(x => x.Code).AsEnumerable())
                        {
                            Console.WriteLine(c.Code + code);
                        }
                    }
                }
            }
            """).RunAsync();

    // ---- Batches (with the runtime) ------------------------------------------------------------

    [Fact]
    public Task With_the_runtime_the_loop_can_run_over_batches_of_the_configured_size()
        => Fix("""
            using System;
            using System.Linq;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.EntityFrameworkCore;

            class Export
            {
                async Task Run(ShopContext db, CancellationToken token)
                {
                    var orders = await [|db.Orders.Where(o => o.Amount > 0).ToListAsync(token)|];
                    foreach (var o in orders)
                    {
                        if (o.Amount > 1000)
                        {
                            continue;
                        }

                        Console.WriteLine(o.Id);
                    }
                }
            }
            """, """
            using System;
            using System.Linq;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.EntityFrameworkCore;
            using Sluice;

            class Export
            {
                async Task Run(ShopContext db, CancellationToken token)
                {
                    await foreach (var batch in db.Orders.Where(o => o.Amount > 0).InBatches(500).WithCancellation(token))
                    {
                        foreach (var o in batch)
                        {
                            if (o.Amount > 1000)
                            {
                                continue;
                            }

                            Console.WriteLine(o.Id);
                        }
                    }
                }
            }
            """, UnboundedQueryMaterializedCodeFix.InBatchesKey)
            .WithLibraries(Library.SluiceRuntime)
            .WithEditorConfig("sluice.SLU101.batch_size = 500")
            .RunAsync();

    [Fact]
    public Task A_sync_ToList_in_top_level_statements_is_batched_with_await_foreach()
        => Fix("""
            using System;
            using System.Linq;

            using var db = new ShopContext();
            foreach (var o in [|db.Orders.ToList()|])
            {
                Console.WriteLine(o.Id);
            }
            """, """
            using System;
            using System.Linq;
            using Sluice;

            using var db = new ShopContext();
            await foreach (var batch in db.Orders.InBatches(1000))
            {
                foreach (var o in batch)
                {
                    Console.WriteLine(o.Id);
                }
            }
            """, UnboundedQueryMaterializedCodeFix.InBatchesKey)
            .WithLibraries(Library.SluiceRuntime)
            .AsExecutable()
            .RunAsync();

    [Fact]
    public Task No_batches_without_the_runtime_or_when_the_body_breaks_out()
        => Fix(UnboundedQueryMaterializedCodeFix.InBatchesKey)
            .WithSource("""
                using System;
                using System.Linq;
                using System.Threading.Tasks;
                using Microsoft.EntityFrameworkCore;

                class Export
                {
                    async Task Run(ShopContext db)
                    {
                        foreach (var o in await [|db.Orders.ToListAsync()|])
                        {
                            if (o.Amount > 1000)
                            {
                                break;
                            }
                        }
                    }
                }
                """)
            .WithSource(SLU101_UnboundedQueryMaterializedTests.Model)
            .WithLibraries(Library.SluiceRuntime)
            .ExpectNoFix()
            .RunAsync();

    // ---- No fix --------------------------------------------------------------------------------

    [Fact]
    public Task No_fix_when_the_list_escapes_or_is_used_twice()
        => Fix()
            .WithSource("""
                using System;
                using System.Collections.Generic;
                using System.Linq;
                using System.Threading.Tasks;
                using Microsoft.EntityFrameworkCore;

                class Export
                {
                    List<Order> _cache = new();

                    List<Order> Returned(ShopContext db) => [|db.Orders.ToList()|];

                    void Stored(ShopContext db) => _cache = [|db.Orders.ToList()|];

                    void Counted(ShopContext db)
                    {
                        var orders = [|db.Orders.ToList()|];
                        foreach (var o in orders)
                        {
                            Console.WriteLine(o.Id);
                        }

                        Console.WriteLine(orders.Count);
                    }

                    void Indexed(ShopContext db)
                    {
                        var orders = [|db.Orders.ToList()|];
                        Console.WriteLine(orders[0].Id);
                    }

                    void NotNext(ShopContext db)
                    {
                        var orders = [|db.Orders.ToList()|];
                        Console.WriteLine("loaded");
                        foreach (var o in orders)
                        {
                            Console.WriteLine(o.Id);
                        }
                    }

                    void Dictionary(ShopContext db)
                    {
                        foreach (var pair in [|db.Orders.ToDictionary(o => o.Id)|])
                        {
                            Console.WriteLine(pair.Key);
                        }
                    }

                    async Task UsesTheContext(ShopContext db)
                    {
                        foreach (var o in await [|db.Orders.ToListAsync()|])
                        {
                            o.Status = "done";
                            await db.SaveChangesAsync();
                        }
                    }
                }
                """)
            .WithSource(SLU101_UnboundedQueryMaterializedTests.Model)
            .ExpectNoFix()
            .RunAsync();
}
