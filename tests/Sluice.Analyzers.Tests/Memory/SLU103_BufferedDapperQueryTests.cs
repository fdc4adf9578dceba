using Sluice.Analyzers.Memory;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Memory;

namespace Sluice.Analyzers.Tests.Memory;

public class SLU103_BufferedDapperQueryTests
{
    private const string Order = """

        public class Order
        {
            public int Id { get; set; }
        }
        """;

    private static RuleTest Analyzer(string source)
        => Verify.Analyzer<BufferedDapperQueryAnalyzer>().WithSource(source + Order).WithLibraries(Library.Dapper);

    private static RuleTest Fix(string key, string source, string fixedSource)
        => Verify.CodeFix<BufferedDapperQueryAnalyzer, BufferedDapperQueryCodeFix>(key)
            .WithSource(source + Order)
            .WithFixedSource(fixedSource + Order)
            .WithLibraries(Library.Dapper);

    // ---- Positives -----------------------------------------------------------------------------

    [Fact]
    public Task Query_and_QueryAsync_over_a_whole_table_are_reported()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Data;
            using System.Threading.Tasks;
            using Dapper;

            class Export
            {
                const string All = "SELECT Id, Total FROM Orders";

                IEnumerable<Order> Sync(IDbConnection db) => [|db.Query<Order>("select * from dbo.[Orders] o where o.Total > @min", new { min = 10 })|];

                Task<IEnumerable<Order>> Async(IDbConnection db) => [|db.QueryAsync<Order>(All)|];

                IEnumerable<dynamic> Dynamic(IDbConnection db) => [|db.Query($"SELECT * FROM {"Invoices"}", buffered: true)|];
            }
            """)
            .WithMessages(
                "Query<Order> reads every row of 'dbo.Orders' into a list before the first is used, and the SQL has no LIMIT, TOP, FETCH FIRST or key lookup; stream the rows unbuffered",
                "QueryAsync<Order> reads every row of 'Orders' into a list before the first is used, and the SQL has no LIMIT, TOP, FETCH FIRST or key lookup; stream the rows unbuffered",
                "Query reads every row of 'Invoices' into a list before the first is used, and the SQL has no LIMIT, TOP, FETCH FIRST or key lookup; stream the rows unbuffered")
            .RunAsync();

    [Fact]
    public Task Two_columns_that_are_not_a_key_and_a_label_are_reported()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Data;
            using Dapper;

            class Lists
            {
                IEnumerable<(int, string)> Emails(IDbConnection db) => [|db.Query<(int, string)>("SELECT Id, Address FROM SentEmails")|];

                IEnumerable<(string, string)> Labels(IDbConnection db) => [|db.Query<(string, string)>("SELECT Name, Description FROM Products")|];
            }
            """).RunAsync();

    [Fact]
    public Task A_CommandDefinition_with_the_default_or_Buffered_flags_is_reported()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Data;
            using System.Threading.Tasks;
            using Dapper;

            class Export
            {
                IEnumerable<Order> Default(IDbConnection db) => [|db.Query<Order>(new CommandDefinition("SELECT * FROM Orders WHERE Status = 'open'"))|];

                Task<IEnumerable<Order>> Buffered(IDbConnection db)
                    => [|db.QueryAsync<Order>(new CommandDefinition("WITH o AS (SELECT * FROM Orders) SELECT * FROM o", flags: CommandFlags.Buffered | CommandFlags.NoCache))|];
            }
            """).RunAsync();

    [Fact]
    public Task The_static_form_and_a_multi_mapping_query_are_reported()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Data;
            using Dapper;

            class Export
            {
                IEnumerable<Order> Static(IDbConnection db) => [|SqlMapper.Query<Order>(db, "SELECT * FROM Orders")|];

                IEnumerable<Order> Mapped(IDbConnection db)
                    => [|db.Query<Order, Order, Order>("SELECT * FROM Orders o JOIN Orders p ON p.Id = o.Id", (a, b) => a)|];
            }
            """).RunAsync();

    [Fact]
    public Task A_schema_qualified_table_is_named_in_full()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Data;
            using Dapper;

            class Export
            {
                IEnumerable<Order> Bracketed(IDbConnection db)
                    => [|db.Query<Order>("SELECT [s].[Id] FROM [shipping].[Parcels] AS [s] WHERE [s].[DeliveredOn] IS NULL ORDER BY [s].[Id]")|];

                IEnumerable<Order> Quoted(IDbConnection db) => [|db.Query<Order>("SELECT * FROM \"shipping\".\"Parcels\"")|];

                IEnumerable<Order> Mixed(IDbConnection db) => [|db.Query<Order>("SELECT * FROM [shipping].Parcels p")|];
            }
            """)
            .WithMessages(
                "Query<Order> reads every row of 'shipping.Parcels' into a list before the first is used, and the SQL has no LIMIT, TOP, FETCH FIRST or key lookup; stream the rows unbuffered",
                "Query<Order> reads every row of 'shipping.Parcels' into a list before the first is used, and the SQL has no LIMIT, TOP, FETCH FIRST or key lookup; stream the rows unbuffered",
                "Query<Order> reads every row of 'shipping.Parcels' into a list before the first is used, and the SQL has no LIMIT, TOP, FETCH FIRST or key lookup; stream the rows unbuffered")
            .RunAsync();

    // ---- Near misses ---------------------------------------------------------------------------

    [Fact]
    public Task A_lookup_list_of_a_key_and_a_label_is_silent()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Data;
            using Dapper;

            class Lists
            {
                void Run(IDbConnection db)
                {
                    db.Query<(string, string)>("SELECT Code, Name FROM Currencies");
                    db.Query<(int, string)>("SELECT [t].[Id] AS [Id], [t].[Title] AS [Title] FROM [lists].[v_Tiers] AS [t]");
                    db.Query<(int, string)>("SELECT w.Id, w.Warehouse FROM StorageWarehouse w");
                }
            }
            """).RunAsync();

    [Fact]
    public Task Schema_metadata_is_silent()
        => Analyzer("""
            using System.Data;
            using Dapper;

            class Inspect
            {
                void Run(IDbConnection db)
                {
                    db.Query<string>("SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES");
                    db.Query<string>("SELECT name FROM sys.tables");
                    db.Query<string>("SELECT tablename FROM pg_catalog.pg_tables");
                    db.Query<string>("SELECT name FROM sqlite_master");
                    db.Query<string>("SELECT c.COLUMN_NAME FROM [INFORMATION_SCHEMA].[COLUMNS] c");
                }
            }
            """).RunAsync();

    [Fact]
    public Task Bounded_SQL_is_silent()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Data;
            using Dapper;

            class Export
            {
                void Run(IDbConnection db)
                {
                    db.Query<Order>("SELECT TOP 100 * FROM Orders");
                    db.Query<Order>("SELECT * FROM Orders ORDER BY Id LIMIT 100");
                    db.Query<Order>("SELECT * FROM Orders ORDER BY Id OFFSET 0 ROWS FETCH FIRST 10 ROWS ONLY");
                    db.Query<Order>("SELECT * FROM Orders WHERE Id = @id", new { id = 1 });
                    db.Query<Order>("SELECT * FROM Orders o WHERE o.Total > 5 AND @customer = o.CustomerId", new { customer = 1 });
                    db.Query<Order>("SELECT * FROM Orders WHERE order_id = 42");
                    db.Query<Order>("SELECT * FROM Orders WHERE Id IN @ids", new { ids = new[] { 1, 2 } });
                    db.Query<Order>("SELECT * FROM Orders WHERE Id IN (1, 2, 3)");
                    db.Query<int>("SELECT COUNT(*) FROM Orders");
                    db.Query<int>("select max(Id) as Last, min(Id) First from Orders");
                    db.Query<Order>("INSERT INTO Orders (Total) VALUES (1) RETURNING *");
                    db.Query<Order>("GetOrders", commandType: CommandType.StoredProcedure);
                }
            }
            """).RunAsync();

    [Fact]
    public Task Unbuffered_and_single_row_queries_are_silent()
        => Analyzer("""
            using System.Data;
            using System.Data.Common;
            using Dapper;

            class Export
            {
                async void Run(IDbConnection db, DbConnection connection, bool buffer)
                {
                    db.Query<Order>("SELECT * FROM Orders", buffered: false);
                    db.Query<Order>("SELECT * FROM Orders", buffered: buffer);
                    db.Query<Order>(new CommandDefinition("SELECT * FROM Orders", flags: CommandFlags.None));
                    await foreach (var order in connection.QueryUnbufferedAsync<Order>("SELECT * FROM Orders")) { }
                    db.QueryFirst<Order>("SELECT * FROM Orders");
                    await db.QuerySingleOrDefaultAsync<Order>("SELECT * FROM Orders");
                }
            }
            """).RunAsync();

    [Fact]
    public Task SQL_that_is_not_a_constant_is_silent()
        => Analyzer("""
            using System.Data;
            using Dapper;

            class Export
            {
                static readonly string Sql = "SELECT * FROM Orders";

                void Run(IDbConnection db, string table, CommandDefinition command)
                {
                    db.Query<Order>(Sql);
                    db.Query<Order>($"SELECT * FROM {table}");
                    db.Query<Order>(command);
                    db.Query<Order>(new CommandDefinition(Sql));
                }
            }
            """).RunAsync();

    [Fact]
    public Task Nothing_is_reported_without_Dapper()
        => Verify.Analyzer<BufferedDapperQueryAnalyzer>()
            .WithSource("""
                using System.Collections.Generic;

                static class SqlMapper
                {
                    public static IEnumerable<T> Query<T>(this object db, string sql, bool buffered = true) => new List<T>();
                }

                class Export
                {
                    IEnumerable<int> Run(object db) => db.Query<int>("SELECT Id FROM Orders");
                }
                """)
            .RunAsync();

    // ---- Fixes ---------------------------------------------------------------------------------

    [Fact]
    public Task Query_enumerated_once_by_a_foreach_gets_buffered_false()
        => Fix(
            BufferedDapperQueryCodeFix.BufferedFalseKey,
            """
            using System;
            using System.Data;
            using Dapper;

            class Export
            {
                void Run(IDbConnection db, IDbConnection audit)
                {
                    foreach (var order in [|db.Query<Order>("SELECT * FROM Orders")|])
                    {
                        audit.Execute("INSERT INTO Seen VALUES (@Id)", order);
                    }

                    var rows = [|db.Query<Order>("SELECT * FROM Orders", new { }, null, true)|];
                    foreach (var order in rows)
                    {
                        Console.WriteLine(order.Id);
                    }
                }
            }
            """,
            """
            using System;
            using System.Data;
            using Dapper;

            class Export
            {
                void Run(IDbConnection db, IDbConnection audit)
                {
                    foreach (var order in db.Query<Order>("SELECT * FROM Orders", buffered: false))
                    {
                        audit.Execute("INSERT INTO Seen VALUES (@Id)", order);
                    }

                    var rows = db.Query<Order>("SELECT * FROM Orders", new { }, null, false);
                    foreach (var order in rows)
                    {
                        Console.WriteLine(order.Id);
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_CommandDefinition_gets_CommandFlags_None()
        => Fix(
            BufferedDapperQueryCodeFix.CommandFlagsNoneKey,
            """
            using System;
            using System.Data;
            using System.Threading.Tasks;
            using Dapper;

            class Export
            {
                async Task Run(IDbConnection db)
                {
                    foreach (var order in await [|db.QueryAsync<Order>(new CommandDefinition("SELECT * FROM Orders"))|])
                    {
                        Console.WriteLine(order.Id);
                    }

                    foreach (var order in [|db.Query<Order>(new CommandDefinition("SELECT * FROM Orders", flags: CommandFlags.Buffered))|])
                    {
                        Console.WriteLine(order.Id);
                    }
                }
            }
            """,
            """
            using System;
            using System.Data;
            using System.Threading.Tasks;
            using Dapper;

            class Export
            {
                async Task Run(IDbConnection db)
                {
                    foreach (var order in await db.QueryAsync<Order>(new CommandDefinition("SELECT * FROM Orders", flags: CommandFlags.None)))
                    {
                        Console.WriteLine(order.Id);
                    }

                    foreach (var order in db.Query<Order>(new CommandDefinition("SELECT * FROM Orders", flags: CommandFlags.None)))
                    {
                        Console.WriteLine(order.Id);
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task QueryAsync_on_a_DbConnection_enumerated_once_becomes_QueryUnbufferedAsync_with_await_foreach()
        => Fix(
            BufferedDapperQueryCodeFix.QueryUnbufferedAsyncKey,
            """
            using System;
            using System.Data.Common;
            using System.Threading.Tasks;
            using Dapper;

            class Export
            {
                async Task Run(DbConnection db)
                {
                    foreach (var order in await [|db.QueryAsync<Order>("SELECT * FROM Orders")|])
                    {
                        Console.WriteLine(order.Id);
                    }

                    var rows = await [|db.QueryAsync<Order>("SELECT * FROM Orders")|];
                    foreach (Order order in rows)
                    {
                        Console.WriteLine(order.Id);
                    }
                }
            }
            """,
            """
            using System;
            using System.Data.Common;
            using System.Threading.Tasks;
            using Dapper;

            class Export
            {
                async Task Run(DbConnection db)
                {
                    await foreach (var order in db.QueryUnbufferedAsync<Order>("SELECT * FROM Orders"))
                    {
                        Console.WriteLine(order.Id);
                    }

                    var rows = db.QueryUnbufferedAsync<Order>("SELECT * FROM Orders");
                    await foreach (Order order in rows)
                    {
                        Console.WriteLine(order.Id);
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task No_fix_when_the_rows_are_kept_enumerated_twice_or_the_loop_uses_the_connection()
        => Verify.CodeFix<BufferedDapperQueryAnalyzer, BufferedDapperQueryCodeFix>()
            .WithSource("""
                using System;
                using System.Collections.Generic;
                using System.Data;
                using System.Data.Common;
                using System.Linq;
                using System.Threading.Tasks;
                using Dapper;

                class Export
                {
                    IEnumerable<Order> Kept(IDbConnection db) => [|db.Query<Order>("SELECT * FROM Orders")|];

                    List<Order> Listed(IDbConnection db) => [|db.Query<Order>("SELECT * FROM Orders")|].ToList();

                    void Twice(IDbConnection db)
                    {
                        var rows = [|db.Query<Order>("SELECT * FROM Orders")|];
                        foreach (var order in rows) { }
                        Console.WriteLine(rows.Count());
                    }

                    void NotNext(IDbConnection db)
                    {
                        var rows = [|db.Query<Order>("SELECT * FROM Orders")|];
                        db.Execute("DELETE FROM Orders");
                        foreach (var order in rows) { }
                    }

                    void SameConnection(IDbConnection db)
                    {
                        foreach (var order in [|db.Query<Order>("SELECT * FROM Orders")|])
                        {
                            db.Execute("UPDATE Orders SET Seen = 1 WHERE Id = @Id", order);
                        }
                    }

                    async Task NotADbConnection(IDbConnection db)
                    {
                        foreach (var order in await [|db.QueryAsync<Order>("SELECT * FROM Orders")|]) { }
                    }

                    async Task NotVar(DbConnection db)
                    {
                        IEnumerable<Order> rows = await [|db.QueryAsync<Order>("SELECT * FROM Orders")|];
                        foreach (var order in rows) { }
                    }

                    async Task Transaction(DbConnection db, IDbTransaction transaction)
                    {
                        foreach (var order in await [|db.QueryAsync<Order>("SELECT * FROM Orders", transaction: transaction)|]) { }
                    }

                    void OtherFlags(IDbConnection db)
                    {
                        foreach (var order in [|db.Query<Order>(new CommandDefinition("SELECT * FROM Orders", flags: CommandFlags.Buffered | CommandFlags.NoCache))|]) { }
                    }
                }
                """ + Order)
            .WithLibraries(Library.Dapper)
            .ExpectNoFix()
            .RunAsync();
}
