using Sluice.Analyzers.Memory;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Memory;

namespace Sluice.Analyzers.Tests.Memory;

public class SLU108_UnitOfWorkGrowsTests
{
    private const string Model = """

        public class Order
        {
            public int Id { get; set; }
        }

        public class Shop : Microsoft.EntityFrameworkCore.DbContext
        {
            public Microsoft.EntityFrameworkCore.DbSet<Order> Orders => Set<Order>();
        }
        """;

    private static RuleTest Analyzer(string source)
        => Verify.Analyzer<UnitOfWorkGrowsAnalyzer>().WithSource(source + Model).WithLibraries(Library.EntityFrameworkCore);

    private static RuleTest Fix(string source, string fixedSource)
        => Verify.CodeFix<UnitOfWorkGrowsAnalyzer, UnitOfWorkGrowsCodeFix>(UnitOfWorkGrowsCodeFix.InBatchesKey)
            .WithSource(source + Model)
            .WithFixedSource(fixedSource + Model)
            .WithLibraries(Library.EntityFrameworkCore, Library.SluiceRuntime);

    // ---- Positives -----------------------------------------------------------------------------

    [Fact]
    public Task Adds_in_a_loop_over_a_query_with_one_save_after_it_are_reported()
        => Analyzer("""
            using System.Threading.Tasks;

            class Copy
            {
                async Task Run(Shop source, Shop target)
                {
                    foreach (var order in source.Orders)
                    {
                        [|target.Orders.Add(new Order { Id = order.Id })|];
                    }

                    await target.SaveChangesAsync();
                }
            }
            """)
            .WithMessages("'target' tracks every entity of this loop over the query until the one SaveChanges after it, so the change tracker grows for the whole job; save and clear it every batch")
            .RunAsync();

    [Fact]
    public Task Update_Attach_and_AddAsync_over_files_streams_and_readers_are_reported()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Data.Common;
            using System.IO;
            using System.Threading.Tasks;

            class Import
            {
                private readonly Shop _db = new();

                async Task Run(IAsyncEnumerable<Order> changed, DbDataReader reader, string path)
                {
                    await foreach (var order in changed)
                    {
                        [|_db.Update(order)|];
                    }

                    foreach (var line in File.ReadLines(path))
                    {
                        await [|_db.Orders.AddAsync(new Order { Id = int.Parse(line) })|];
                    }

                    while (reader.Read())
                    {
                        [|_db.Set<Order>().Attach(new Order { Id = reader.GetInt32(0) })|];
                    }

                    _db.SaveChanges();
                }
            }
            """).RunAsync();

    // ---- Near misses ---------------------------------------------------------------------------

    [Fact]
    public Task A_loop_that_saves_or_clears_itself_is_silent()
        => Analyzer("""
            using System.Threading.Tasks;

            class Copy
            {
                async Task Run(Shop source, Shop target)
                {
                    var count = 0;
                    foreach (var order in source.Orders)
                    {
                        target.Add(new Order { Id = order.Id });
                        if (++count % 1000 == 0)
                        {
                            await target.SaveChangesAsync();
                        }
                    }

                    await target.SaveChangesAsync();

                    foreach (var order in source.Orders)
                    {
                        target.Add(new Order { Id = order.Id });
                        target.ChangeTracker.Clear();
                    }

                    await target.SaveChangesAsync();
                }
            }
            """).RunAsync();

    [Fact]
    public Task No_save_after_the_loop_or_a_save_on_another_context_is_silent()
        => Analyzer("""
            class Copy
            {
                void Run(Shop source, Shop target)
                {
                    foreach (var order in source.Orders)
                    {
                        target.Add(new Order { Id = order.Id });
                    }

                    source.SaveChanges();
                }
            }
            """).RunAsync();

    [Fact]
    public Task In_memory_and_bounded_sources_are_silent()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Linq;

            class Copy
            {
                void Run(Shop source, Shop target, List<Order> orders, IEnumerable<Order> unknown)
                {
                    foreach (var order in orders)
                    {
                        target.Add(order);
                    }

                    foreach (var order in unknown)
                    {
                        target.Add(order);
                    }

                    foreach (var order in source.Orders.OrderBy(o => o.Id).Take(500))
                    {
                        target.Add(new Order { Id = order.Id });
                    }

                    target.SaveChanges();
                }
            }
            """).RunAsync();

    [Fact]
    public Task Nothing_is_reported_without_EF_Core()
        => Verify.Analyzer<UnitOfWorkGrowsAnalyzer>()
            .WithSource("""
                using System.Collections.Generic;
                using System.Linq;

                class DbContext
                {
                    public void Add(object entity) { }

                    public void SaveChanges() { }
                }

                class Copy
                {
                    void Run(IQueryable<int> ids, DbContext db)
                    {
                        foreach (var id in ids)
                        {
                            db.Add(id);
                        }

                        db.SaveChanges();
                    }
                }
                """)
            .RunAsync();

    // ---- Fix -----------------------------------------------------------------------------------

    [Fact]
    public Task The_loop_saves_and_clears_every_batch()
        => Fix(
            """
            using System.Collections.Generic;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;

            class Copy
            {
                async Task Run(Shop source, Shop target, IAsyncEnumerable<Order> changed, string path, CancellationToken ct)
                {
                    foreach (var order in source.Orders)
                    {
                        if (order.Id < 0)
                        {
                            continue;
                        }

                        [|target.Orders.Add(new Order { Id = order.Id })|];
                    }
                    await target.SaveChangesAsync(ct);

                    await foreach (var order in changed)
                    {
                        [|target.Update(order)|];
                    }
                    target.SaveChanges();
                }

                void Lines(Shop db, string path)
                {
                    foreach (var line in File.ReadLines(path))
                    {
                        [|db.Add(new Order { Id = int.Parse(line) })|];
                    }

                    db.SaveChanges();
                }
            }
            """,
            """
            using System.Collections.Generic;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using Sluice;

            class Copy
            {
                async Task Run(Shop source, Shop target, IAsyncEnumerable<Order> changed, string path, CancellationToken ct)
                {
                    await foreach (var batch in source.Orders.InBatches(1000))
                    {
                        foreach (var order in batch)
                        {
                            if (order.Id < 0)
                            {
                                continue;
                            }

                            target.Orders.Add(new Order { Id = order.Id });
                        }

                        await target.SaveChangesAsync(ct);
                        target.ChangeTracker.Clear();
                    }
                    await target.SaveChangesAsync(ct);

                    await foreach (var batch in changed.InBatches(1000))
                    {
                        foreach (var order in batch)
                        {
                            target.Update(order);
                        }

                        target.SaveChanges();
                        target.ChangeTracker.Clear();
                    }
                    target.SaveChanges();
                }

                void Lines(Shop db, string path)
                {
                    foreach (var batch in File.ReadLines(path).InBatches(1000))
                    {
                        foreach (var line in batch)
                        {
                            db.Add(new Order { Id = int.Parse(line) });
                        }

                        db.SaveChanges();
                        db.ChangeTracker.Clear();
                    }

                    db.SaveChanges();
                }
            }
            """)
            .RunAsync();

    [Fact]
    public Task The_batch_size_comes_from_the_option()
        => Fix(
            """
            using System.IO;

            class Copy
            {
                void Lines(Shop db, string path)
                {
                    foreach (var line in File.ReadLines(path))
                    {
                        [|db.Add(new Order { Id = int.Parse(line) })|];
                    }

                    db.SaveChanges();
                }
            }
            """,
            """
            using System.IO;
            using Sluice;

            class Copy
            {
                void Lines(Shop db, string path)
                {
                    foreach (var batch in File.ReadLines(path).InBatches(250))
                    {
                        foreach (var line in batch)
                        {
                            db.Add(new Order { Id = int.Parse(line) });
                        }

                        db.SaveChanges();
                        db.ChangeTracker.Clear();
                    }

                    db.SaveChanges();
                }
            }
            """)
            .WithEditorConfig("sluice.SLU108.batch_size = 250")
            .RunAsync();

    [Fact]
    public Task No_fix_when_behaviour_cannot_be_kept()
        => Verify.CodeFix<UnitOfWorkGrowsAnalyzer, UnitOfWorkGrowsCodeFix>()
            .WithSource("""
                using System.Collections.Generic;
                using System.Data.Common;
                using System.Linq;
                using System.Threading;
                using System.Threading.Tasks;

                class Copy
                {
                    async Task SameContext(Shop db)
                    {
                        foreach (var order in db.Orders)
                        {
                            [|db.Add(new Order { Id = order.Id + 1 })|];
                        }

                        await db.SaveChangesAsync();
                    }

                    async Task QueryOfUnknownOrigin(IQueryable<Order> orders, Shop db)
                    {
                        foreach (var order in orders)
                        {
                            [|db.Add(new Order { Id = order.Id })|];
                        }

                        await db.SaveChangesAsync();
                    }

                    async Task<int> ResultUsed(Shop source, Shop db)
                    {
                        foreach (var order in source.Orders)
                        {
                            [|db.Add(new Order { Id = order.Id })|];
                        }

                        return await db.SaveChangesAsync();
                    }

                    async Task Breaks(Shop source, Shop db)
                    {
                        foreach (var order in source.Orders)
                        {
                            if (order.Id == 0)
                            {
                                break;
                            }

                            [|db.Add(new Order { Id = order.Id })|];
                        }

                        await db.SaveChangesAsync();
                    }

                    void NotAsync(Shop source, Shop db)
                    {
                        foreach (var order in source.Orders)
                        {
                            [|db.Add(new Order { Id = order.Id })|];
                        }

                        db.SaveChanges();
                    }

                    async Task Cancelled(IAsyncEnumerable<Order> changed, Shop db, CancellationToken ct)
                    {
                        await foreach (var order in changed.WithCancellation(ct))
                        {
                            [|db.Update(order)|];
                        }

                        await db.SaveChangesAsync(ct);
                    }

                    async Task Reader(DbDataReader reader, Shop db)
                    {
                        while (await reader.ReadAsync())
                        {
                            [|db.Add(new Order { Id = reader.GetInt32(0) })|];
                        }

                        await db.SaveChangesAsync();
                    }
                }
                """ + Model)
            .WithLibraries(Library.EntityFrameworkCore, Library.SluiceRuntime)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task No_fix_without_the_runtime()
        => Verify.CodeFix<UnitOfWorkGrowsAnalyzer, UnitOfWorkGrowsCodeFix>()
            .WithSource("""
                using System.IO;

                class Copy
                {
                    void Lines(Shop db, string path)
                    {
                        foreach (var line in File.ReadLines(path))
                        {
                            [|db.Add(new Order { Id = int.Parse(line) })|];
                        }

                        db.SaveChanges();
                    }
                }
                """ + Model)
            .WithLibraries(Library.EntityFrameworkCore)
            .ExpectNoFix()
            .RunAsync();
}
