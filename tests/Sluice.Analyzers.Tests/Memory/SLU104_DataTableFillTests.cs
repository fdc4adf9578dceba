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
