using Sluice.Analyzers.Memory;
using Sluice.Analyzers.Tests.Harness;

namespace Sluice.Analyzers.Tests.Memory;

public class SLU104_DataTableFillTests
{
    private static RuleTest Analyzer(string source)
        => Verify.Analyzer<DataTableFillAnalyzer>().WithSource(source);

    [Fact]
    public Task Fill_and_Load_of_a_whole_result_are_reported()
        => Analyzer("""
            using System.Data;
            using System.Data.Common;

            class Report
            {
                void Run(DbDataAdapter adapter, DbCommand command)
                {
                    var table = new DataTable();
                    [|adapter.Fill(table)|];

                    var set = new DataSet();
                    [|adapter.Fill(set, "Orders")|];

                    using var reader = command.ExecuteReader();
                    [|table.Load(reader)|];
                    [|set.Load(reader, LoadOption.OverwriteChanges, "Orders")|];
                }
            }
            """)
            .WithMessages(
                "DbDataAdapter.Fill loads the whole result set into a DataTable in memory; read the rows with a DbDataReader and process them as they arrive",
                "DbDataAdapter.Fill loads the whole result set into a DataSet in memory; read the rows with a DbDataReader and process them as they arrive",
                "DataTable.Load loads the whole result set into a DataTable in memory; read the rows with a DbDataReader and process them as they arrive",
                "DataSet.Load loads the whole result set into a DataSet in memory; read the rows with a DbDataReader and process them as they arrive")
            .RunAsync();

    [Fact]
    public Task A_provider_adapter_is_reported_with_its_name()
        => Analyzer("""
            using System.Data;
            using Npgsql;

            class Report
            {
                void Run(NpgsqlDataAdapter adapter) => [|adapter.Fill(new DataTable())|];
            }
            """)
            .WithLibraries(Library.Npgsql)
            .WithMessages("NpgsqlDataAdapter.Fill loads the whole result set into a DataTable in memory; read the rows with a DbDataReader and process them as they arrive")
            .RunAsync();

    [Fact]
    public Task A_constant_unbounded_query_behind_the_adapter_or_reader_is_reported()
        => Analyzer("""
            using System.Data;
            using Npgsql;

            class Report
            {
                DataTable Bookings(NpgsqlConnection connection)
                {
                    var adapter = new NpgsqlDataAdapter("SELECT * FROM bookings WHERE cancelled = false", connection);
                    var table = new DataTable();
                    [|adapter.Fill(table)|];

                    var command = connection.CreateCommand();
                    command.CommandText = "SELECT * FROM bookings";
                    using var reader = command.ExecuteReader();
                    var again = new DataTable();
                    [|again.Load(reader)|];

                    var guests = new NpgsqlDataAdapter { SelectCommand = new NpgsqlCommand("SELECT * FROM guests", connection) };
                    [|guests.Fill(new DataSet())|];
                    return table;
                }
            }
            """)
            .WithLibraries(Library.Npgsql)
            .RunAsync();

    [Fact]
    public Task A_bounded_query_or_the_catalog_is_silent()
        => Analyzer("""
            using System.Data;
            using Npgsql;

            class Report
            {
                void Run(NpgsqlConnection connection, int guest)
                {
                    var command = connection.CreateCommand();
                    command.CommandText = "SELECT * FROM bookings WHERE guest_id = @guest";
                    using (var reader = command.ExecuteReader())
                    {
                        new DataTable().Load(reader);
                    }

                    var columns = new NpgsqlDataAdapter("SELECT column_name, data_type FROM information_schema.columns", connection);
                    columns.Fill(new DataTable());

                    var latest = new NpgsqlCommand("SELECT * FROM bookings ORDER BY id DESC LIMIT 20", connection);
                    using var rows = latest.ExecuteReader();
                    new DataSet().Load(rows, LoadOption.OverwriteChanges, "Latest");
                }
            }
            """)
            .WithLibraries(Library.Npgsql)
            .RunAsync();

    [Fact]
    public Task A_general_purpose_executor_of_the_callers_SQL_is_silent()
        => Analyzer("""
            using System.Data;
            using System.Data.Common;

            class SqlRunner
            {
                private readonly DbConnection _connection;

                public SqlRunner(DbConnection connection) => _connection = connection;

                public DataTable Run(string sql)
                {
                    var command = _connection.CreateCommand();
                    command.CommandText = sql;
                    var reader = command.ExecuteReader();
                    var table = new DataTable();
                    table.Load(reader);
                    return table;
                }
            }
            """).RunAsync();

    [Fact]
    public Task Bounded_Fill_and_FillSchema_are_silent()
        => Analyzer("""
            using System.Data;
            using System.Data.Common;

            class Report
            {
                void Run(DbDataAdapter adapter)
                {
                    var table = new DataTable();
                    adapter.Fill(0, 100, table);
                    adapter.Fill(new DataSet(), 0, 100, "Orders");
                    adapter.FillSchema(table, SchemaType.Source);
                }
            }
            """).RunAsync();

    [Fact]
    public Task Look_alike_Fill_and_Load_methods_are_silent()
        => Analyzer("""
            class Grid
            {
                public void Fill(object rows) { }

                public void Load(object reader) { }
            }

            class Report
            {
                void Run(Grid grid)
                {
                    grid.Fill(new object());
                    grid.Load(new object());
                }
            }
            """).RunAsync();
}
