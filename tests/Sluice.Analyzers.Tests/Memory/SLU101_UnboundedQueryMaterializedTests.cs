using Sluice.Analyzers.Memory;
using Sluice.Analyzers.Tests.Harness;

namespace Sluice.Analyzers.Tests.Memory;

public class SLU101_UnboundedQueryMaterializedTests
{
    /// <summary>An EF Core model the tests query.</summary>
    internal const string Model = """
        using System.Collections.Generic;
        using System.ComponentModel.DataAnnotations;
        using Microsoft.EntityFrameworkCore;

        public class Order
        {
            public int Id { get; set; }
            public int CustomerId { get; set; }
            public decimal Amount { get; set; }
            public string Status { get; set; } = "";
        }

        public class Invoice
        {
            [Key]
            public int Number { get; set; }
            public int InvoiceId { get; set; }
        }

        public class Country
        {
            public string Code { get; set; } = "";
        }

        public class ShopContext : DbContext
        {
            public DbSet<Order> Orders => Set<Order>();
            public DbSet<Invoice> Invoices => Set<Invoice>();
            public DbSet<Country> Countries => Set<Country>();
        }
        """;

    private static RuleTest Analyzer(string source)
        => Verify.Analyzer<UnboundedQueryMaterializedAnalyzer>().WithSource(source).WithSource(Model).WithLibraries(Library.EntityFrameworkCore);

    // ---- Positives -----------------------------------------------------------------------------

    [Fact]
    public Task ToList_on_a_whole_DbSet_is_reported_and_names_it()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Linq;

            class Export
            {
                List<Invoice> All(ShopContext db) => [|db.Invoices.ToList()|];
            }
            """)
            .WithMessages("'Invoices' is loaded whole by ToList(); stream it with AsEnumerable() or process it in batches")
            .RunAsync();

    [Fact]
    public Task ToListAsync_after_a_filter_is_reported_with_AsAsyncEnumerable()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.EntityFrameworkCore;

            class Export
            {
                async Task<List<Order>> Open(ShopContext db, CancellationToken token)
                    => await [|db.Orders.Where(o => o.Status == "open").OrderBy(o => o.Id).ToListAsync(token)|];
            }
            """)
            .WithMessages("'Orders' is loaded whole by ToListAsync(); stream it with AsAsyncEnumerable() or process it in batches")
            .RunAsync();

    [Fact]
    public Task Every_materializer_is_reported()
        => Analyzer("""
            using System.Linq;
            using System.Threading.Tasks;
            using Microsoft.EntityFrameworkCore;

            class Export
            {
                async Task Run(ShopContext db)
                {
                    var a = [|db.Orders.ToArray()|];
                    var b = [|db.Orders.ToDictionary(o => o.Id)|];
                    var c = [|db.Orders.Select(o => o.CustomerId).ToHashSet()|];
                    var d = [|db.Orders.ToLookup(o => o.CustomerId)|];
                    var e = await [|db.Orders.ToArrayAsync()|];
                    var f = await [|db.Orders.ToDictionaryAsync(o => o.Id)|];
                    var g = await [|db.Orders.Select(o => o.Id).ToHashSetAsync()|];
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_GroupBy_into_aggregates_is_still_unbounded()
        => Analyzer("""
            using System.Linq;

            class Report
            {
                object Totals(ShopContext db)
                    => [|db.Orders.GroupBy(o => o.CustomerId).Select(g => new { g.Key, Total = g.Sum(o => o.Amount), Count = g.Count() }).ToList()|];
            }
            """).RunAsync();

    [Fact]
    public Task Set_of_T_and_a_query_kept_in_a_local_are_followed()
        => Analyzer("""
            using System.Linq;
            using Microsoft.EntityFrameworkCore;

            class Export
            {
                void Run(ShopContext db, bool onlyOpen)
                {
                    var all = [|db.Set<Order>().ToList()|];

                    var query = db.Orders.AsNoTracking();
                    if (onlyOpen)
                    {
                        query = query.Where(o => o.Status == "open");
                    }

                    var filtered = [|query.ToList()|];
                }
            }
            """)
            .WithMessages(
                "'Set<Order>()' is loaded whole by ToList(); stream it with AsEnumerable() or process it in batches",
                "'Orders' is loaded whole by ToList(); stream it with AsEnumerable() or process it in batches")
            .RunAsync();

    [Fact]
    public Task A_filter_on_a_column_that_is_not_the_key_does_not_bound_it()
        => Analyzer("""
            using System.Linq;

            class Export
            {
                object ForCustomer(ShopContext db, int customer) => [|db.Orders.Where(o => o.CustomerId == customer).ToList()|];
            }
            """).RunAsync();

    // ---- Near misses ---------------------------------------------------------------------------

    [Fact]
    public Task Bounded_queries_are_silent()
        => Analyzer("""
            using System.Linq;
            using System.Threading.Tasks;
            using Microsoft.EntityFrameworkCore;

            class Export
            {
                async Task Run(ShopContext db, int page, int id, int[] ids)
                {
                    var top = db.Orders.OrderBy(o => o.Id).Take(100).ToList();
                    var paged = await db.Orders.OrderBy(o => o.Id).Skip(page * 50).Take(50).ToListAsync();
                    var last = db.Orders.OrderBy(o => o.Id).TakeLast(10).ToArray();
                    var first = db.Orders.First();
                    var count = await db.Orders.CountAsync();
                    var any = db.Orders.Any(o => o.Amount > 100);
                    var found = db.Orders.Find(id);
                    var limitedThenShaped = db.Orders.Take(10).Select(o => o.Id).ToList();
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_filter_on_the_key_is_silent()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Linq;

            class Export
            {
                void Run(ShopContext db, int id, List<int> ids)
                {
                    var byId = db.Orders.Where(o => o.Id == id).ToList();
                    var byIdAndStatus = db.Orders.Where(o => o.Status == "open" && id == o.Id).ToList();
                    var byIds = db.Orders.Where(o => ids.Contains(o.Id)).ToList();
                    var byKeyAttribute = db.Invoices.Where(i => i.Number == id).ToList();
                    var byConventionalKey = db.Invoices.Where(i => i.InvoiceId == id).ToList();
                }
            }
            """).RunAsync();

    [Fact]
    public Task In_memory_collections_are_silent()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Linq;

            class Export
            {
                void Run(List<Order> orders, Order[] array)
                {
                    var a = orders.Where(o => o.Amount > 0).ToList();
                    var b = array.ToArray();
                    var c = new[] { 1, 2, 3 }.Select(i => i * 2).ToList();
                    var d = orders.AsQueryable().Where(o => o.Amount > 0).ToList();
                    var e = Enumerable.Range(0, 10).ToDictionary(i => i);
                }
            }
            """).RunAsync();

    [Fact]
    public Task Queries_whose_source_is_not_visible_are_silent()
        => Analyzer("""
            using System.Linq;
            using Microsoft.EntityFrameworkCore;

            class Export
            {
                object FromParameter(IQueryable<Order> orders) => orders.ToList();

                object FromMethod(Repository repository) => repository.All().ToList();

                object FromSql(ShopContext db) => db.Orders.FromSqlRaw("SELECT * FROM orders LIMIT 10").ToList();

                object Enumerated(ShopContext db) => db.Orders.AsEnumerable().Where(o => o.Amount > 0).ToList();
            }

            class Repository
            {
                public IQueryable<Order> All() => throw null!;
            }
            """).RunAsync();

    [Fact]
    public Task A_conditional_bound_on_the_local_silences_it()
        => Analyzer("""
            using System.Linq;

            class Export
            {
                object Run(ShopContext db, int? limit)
                {
                    var query = db.Orders.Where(o => o.Amount > 0);
                    if (limit is { } n)
                    {
                        query = query.Take(n);
                    }

                    return query.ToList();
                }
            }
            """).RunAsync();

    [Fact]
    public Task Nothing_is_reported_without_EF_Core()
        => Verify.Analyzer<UnboundedQueryMaterializedAnalyzer>()
            .WithSource("""
                using System.Linq;

                class Export
                {
                    object Run(IQueryable<int> numbers) => numbers.Where(n => n > 0).ToList();
                }
                """)
            .RunAsync();

    // ---- Options -------------------------------------------------------------------------------

    [Fact]
    public Task A_configured_bound_method_silences_the_query()
        => Analyzer("""
            using System.Linq;

            static class Paging
            {
                public static IQueryable<T> Page<T>(this IQueryable<T> query, int page) => query.Skip(page * 100).Take(100);
            }

            class Export
            {
                object Run(ShopContext db) => db.Orders.OrderBy(o => o.Id).Page(3).ToList();

                object Other(ShopContext db) => [|db.Orders.OrderBy(o => o.Id).Where(o => o.Amount > 0).ToList()|];
            }
            """)
            .WithEditorConfig("sluice.SLU101.bounded_methods = Page, Window")
            .RunAsync();

    [Fact]
    public Task A_custom_query_method_that_is_not_configured_does_not_bound_it()
        => Analyzer("""
            using System.Linq;

            static class Paging
            {
                public static IQueryable<T> Page<T>(this IQueryable<T> query, int page) => query.Skip(page * 100).Take(100);
            }

            class Export
            {
                object Run(ShopContext db) => [|db.Orders.OrderBy(o => o.Id).Page(3).ToList()|];
            }
            """).RunAsync();

    [Fact]
    public Task Ignored_types_are_silent_by_entity_or_element_type()
        => Analyzer("""
            using System.Linq;

            class Lookups
            {
                object Countries(ShopContext db) => db.Countries.ToList();

                object Codes(ShopContext db) => db.Countries.Select(c => c.Code).ToList();

                object Orders(ShopContext db) => [|db.Orders.ToList()|];
            }
            """)
            .WithEditorConfig("sluice.SLU101.ignored_types = Country")
            .RunAsync();
}
