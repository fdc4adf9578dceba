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

    /// <summary>A parcel-delivery model for the lookups, parents and reference tables below.</summary>
    private const string LogisticsModel = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Linq.Expressions;
        using Microsoft.EntityFrameworkCore;

        public enum ParcelState { Waiting, Held, Delivered }

        public class Depot
        {
            public int Id { get; set; }
            public string Name { get; set; } = "";
        }

        public class VehicleKind
        {
            public string Code { get; set; } = "";
            public string Kind { get; set; } = "";
        }

        public class Route
        {
            public Guid Id { get; set; }
            public string DriverGuid { get; set; } = "";
        }

        public class Parcel
        {
            public long Id { get; set; }
            public Guid? RouteId { get; set; }
            public Route Route { get; set; } = null!;
            public int DepotId { get; set; }
            public string TrackingCode { get; set; } = "";
            public string Region { get; set; } = "";
            public string Language { get; set; } = "";
            public ParcelState State { get; set; }
            public bool Fragile { get; set; }
        }

        public class Scan
        {
            public long ParcelId { get; set; }
            public int StationId { get; set; }
            public DateTime At { get; set; }
        }

        public class DepotContext : DbContext
        {
            public DbSet<Depot> Depots => Set<Depot>();
            public DbSet<VehicleKind> VehicleKinds => Set<VehicleKind>();
            public DbSet<Parcel> Parcels => Set<Parcel>();
            public DbSet<Scan> Scans => Set<Scan>();
        }

        public static class ParcelQueries
        {
            public static IQueryable<T> WhereAnyOf<T, TValue>(this IQueryable<T> query, IReadOnlyList<TValue> values, Expression<Func<T, TValue>> column)
                => query;
        }
        """;

    private static RuleTest Analyzer(string source)
        => Verify.Analyzer<UnboundedQueryMaterializedAnalyzer>().WithSource(source).WithSource(Model).WithLibraries(Library.EntityFrameworkCore);

    private static RuleTest Logistics(string source)
        => Verify.Analyzer<UnboundedQueryMaterializedAnalyzer>().WithSource(source).WithSource(LogisticsModel).WithLibraries(Library.EntityFrameworkCore);

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
    public Task A_query_expression_is_read_like_the_method_calls_it_stands_for()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading.Tasks;
            using Microsoft.EntityFrameworkCore;

            class Export
            {
                async Task<int> Run(ShopContext db)
                {
                    var open = [|(from o in db.Orders where o.Status == "open" orderby o.Id select o).ToList()|];
                    var amounts = await [|(from o in db.Orders select o.Amount).ToListAsync()|];
                    var query = from i in db.Invoices select i;
                    var invoices = [|query.ToArray()|];
                    return open.Count + amounts.Count + invoices.Length;
                }
            }
            """)
            .WithMessages(
                "'Orders' is loaded whole by ToList(); stream it with AsAsyncEnumerable() or process it in batches",
                "'Orders' is loaded whole by ToListAsync(); stream it with AsAsyncEnumerable() or process it in batches",
                "'Invoices' is loaded whole by ToArray(); stream it with AsAsyncEnumerable() or process it in batches")
            .RunAsync();

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
    public Task A_filter_on_a_category_column_does_not_bound_it()
        => Analyzer("""
            using System.Linq;

            class Export
            {
                object InStatus(ShopContext db, string status) => [|db.Orders.Where(o => o.Status == status).ToList()|];
            }
            """).RunAsync();

    [Fact]
    public Task Category_filters_constants_and_unbounded_subqueries_do_not_bound_it()
        => Logistics("""
            using System.Linq;

            class Dispatch
            {
                void Run(DepotContext db, string region)
                {
                    var waiting = [|db.Parcels.Where(p => new[] { ParcelState.Waiting, ParcelState.Held }.Contains(p.State)).ToList()|];
                    var noDepot = [|db.Parcels.Where(p => p.DepotId == 0).ToList()|];
                    var unrouted = [|db.Parcels.Where(p => p.RouteId == null).ToList()|];
                    var scanned = [|db.Parcels.Where(p => db.Scans.Select(s => s.ParcelId).Contains(p.Id)).ToList()|];
                    var flagged = [|db.Parcels.Where(p => p.Fragile).ToList()|];
                    var regions = [|db.Parcels.Select(p => p.Region).Distinct().ToList()|];
                }
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
    public Task A_query_expression_with_a_key_filter_a_parent_filter_or_a_Take_is_silent()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Linq;

            class Export
            {
                void Run(ShopContext db, int id, int customer, List<int> ids)
                {
                    var byId = (from o in db.Orders where o.Id == id select o).ToList();
                    var byIds = (from o in db.Orders where ids.Contains(o.Id) select o.Amount).ToList();
                    var forCustomer = (from o in db.Orders where o.CustomerId == customer orderby o.Id select o).ToList();
                    var firstPage = (from o in db.Orders orderby o.Id select o).Take(50).ToList();
                    var inMemory = (from i in ids where i > 0 select i).ToList();
                }
            }
            """).RunAsync();

    [Fact]
    public Task The_rows_of_one_parent_are_silent()
        => Analyzer("""
            using System.Linq;

            class Export
            {
                object ForCustomer(ShopContext db, int customer) => db.Orders.Where(o => o.CustomerId == customer).ToList();
            }
            """).RunAsync();

    [Fact]
    public Task Parent_and_composite_key_filters_are_silent()
        => Logistics("""
            using System;
            using System.Linq;
            using System.Threading.Tasks;
            using Microsoft.EntityFrameworkCore;

            class Tracking
            {
                async Task Run(DepotContext db, Parcel parcel, Guid route, int station, string driver)
                {
                    var onRoute = await db.Parcels.Where(p => p.RouteId == route && p.State != ParcelState.Delivered).ToListAsync();
                    var onRouteByEquals = db.Parcels.Where(p => p.RouteId.Equals(route)).ToArray();
                    var ofDriver = db.Parcels.Where(p => p.Route.DriverGuid == driver).ToList();
                    var atStation = db.Scans.Where(s => s.ParcelId == parcel.Id && s.StationId == station).ToList();
                    var ofDepot = db.Parcels.Where(p => p.DepotId == parcel.DepotId).OrderBy(p => p.Id).ToList();
                }
            }
            """).RunAsync();

    [Fact]
    public Task Contains_over_any_in_memory_values_is_a_lookup()
        => Logistics("""
            using System.Collections.Generic;
            using System.Linq;

            class Tracking
            {
                void Run(DepotContext db, string csv, List<long> ids, HashSet<string> codes, IReadOnlyList<int> depots, IEnumerable<Parcel> batch, List<System.Guid> routes)
                {
                    var parsed = csv.Split(',').Select(long.Parse);
                    var byParsedIds = db.Parcels.Where(p => parsed.Contains(p.Id)).ToList();
                    var byList = db.Scans.Where(s => ids.Contains(s.ParcelId)).ToList();
                    var byCodes = db.Parcels.Where(p => p.Region == "north" && codes.Contains(p.TrackingCode)).ToDictionary(p => p.TrackingCode);
                    var byDepots = db.Parcels.Where(p => depots.Contains(p.DepotId) || ids.Contains(p.Id)).ToList();
                    var ofBatch = db.Scans.Where(s => batch.Select(p => p.Id).Contains(s.ParcelId)).ToList();
                    var byNullable = db.Parcels.Where(p => p.RouteId.HasValue && routes.Contains(p.RouteId.Value)).ToList();
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_project_helper_that_filters_by_a_list_of_values_is_a_lookup()
        => Logistics("""
            using System.Collections.Generic;
            using System.Linq;

            class Tracking
            {
                void Run(DepotContext db, long[] ids, IReadOnlyList<long> parcels)
                {
                    var byId = db.Parcels.WhereAnyOf(ids, p => p.Id).Select(p => p.TrackingCode).ToHashSet();
                    var scans = db.Scans.WhereAnyOf(parcels, s => s.ParcelId).GroupBy(s => s.ParcelId).Select(g => new { g.Key, Count = g.Count() }).ToDictionary(x => x.Key, x => x.Count);
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_bounded_subquery_is_a_lookup()
        => Logistics("""
            using System.Linq;

            class Tracking
            {
                void Run(DepotContext db, int station, long[] ids)
                {
                    var seen = db.Parcels.Where(p => db.Scans.Where(s => s.StationId == station).Select(s => s.ParcelId).Contains(p.Id)).ToList();

                    var scannedIds = db.Scans.Where(s => ids.Contains(s.ParcelId)).Select(s => s.ParcelId);
                    var scanned = db.Parcels.Where(p => scannedIds.Contains(p.Id)).ToList();
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_filter_handed_in_by_the_caller_is_silent()
        => Logistics("""
            using System;
            using System.Linq;
            using System.Linq.Expressions;

            class Repository
            {
                object Ids(DepotContext db, Expression<Func<Parcel, bool>> filter) => db.Parcels.Where(filter).Select(p => p.Id).ToList();
            }
            """).RunAsync();

    [Fact]
    public Task Lookup_tables_and_distinct_categories_are_silent()
        => Logistics("""
            using System.Linq;
            using System.Threading.Tasks;
            using Microsoft.EntityFrameworkCore;

            class Catalog
            {
                async Task Run(DepotContext db)
                {
                    var depots = await db.Depots.OrderBy(d => d.Name).ToListAsync();
                    var depotIds = db.Depots.ToDictionary(d => d.Name, d => d.Id);
                    var kinds = db.VehicleKinds.ToList();
                    var languages = db.Parcels.Select(p => string.IsNullOrEmpty(p.Language) ? "none" : p.Language).Distinct().ToArray();
                    var states = db.Parcels.Select(p => p.State).Distinct().ToList();
                }
            }
            """).RunAsync();

    [Fact]
    public Task Seeding_code_is_silent()
        => Logistics("""
            using System.Linq;

            class DepotSeeder
            {
                object Codes(DepotContext db) => db.Parcels.ToDictionary(p => p.TrackingCode, p => p.Id);
            }

            class Startup
            {
                object SeedParcels(DepotContext db) => db.Parcels.Select(p => p.Id).ToList();
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
    public Task Parent_filters_can_be_configured_not_to_bound_a_query()
        => Logistics("""
            using System;
            using System.Linq;

            class Tracking
            {
                void Run(DepotContext db, Guid route, long parcel)
                {
                    var onRoute = [|db.Parcels.Where(p => p.RouteId == route).ToList()|];
                    var byKey = db.Parcels.Where(p => p.Id == parcel).ToList();
                    var byKeys = db.Scans.Where(s => new[] { parcel }.Contains(s.ParcelId)).ToList();
                }
            }
            """)
            .WithEditorConfig("sluice.SLU101.parent_filters_bound = false")
            .RunAsync();

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
