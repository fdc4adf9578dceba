using Sluice.Analyzers.Memory;
using Sluice.Analyzers.Tests.Harness;

namespace Sluice.Analyzers.Tests.Memory;

public class SLU109_DatasetLoadedWholeTests
{
    private const string Model = """

        public class Order
        {
            public int Id { get; set; }
        }
        """;

    /// <summary>ReadAsTableAsync as Parquet.Net 4 and 5 declare it (6.1, on the test host, has none).</summary>
    private const string TableExtension = """

        namespace Parquet.Rows
        {
            public sealed class Table
            {
            }

            public static class ParquetReaderTableExtensions
            {
                public static System.Threading.Tasks.Task<Table> ReadAsTableAsync(this Parquet.ParquetReader reader) => throw new System.NotSupportedException();
            }
        }
        """;

    private static RuleTest Analyzer(string source)
        => Verify.Analyzer<DatasetLoadedWholeAnalyzer>()
            .WithSource(source + Model + TableExtension)
            .WithLibraries(Library.DataAnalysis, Library.Parquet);

    // ---- Positives -----------------------------------------------------------------------------

    [Fact]
    public Task A_CSV_file_or_stream_loaded_into_a_DataFrame_is_reported_and_named()
        => Analyzer("""
            using System.IO;
            using Microsoft.Data.Analysis;

            class Report
            {
                long Run(string path, Stream upload)
                {
                    var orders = [|DataFrame.LoadCsv(path)|];
                    var uploaded = [|DataFrame.LoadCsv(upload, separator: ';')|];
                    var all = [|DataFrame.LoadCsv("orders.csv", numRows: -1)|];
                    return orders.Rows.Count + uploaded.Rows.Count + all.Rows.Count;
                }
            }
            """)
            .WithMessages(
                "DataFrame.LoadCsv loads every row of 'path' into this process's memory at once; stream the rows (CsvHelper GetRecords, a data reader) and process them in batches, or bound the rows read",
                "DataFrame.LoadCsv loads every row of 'upload' into this process's memory at once; stream the rows (CsvHelper GetRecords, a data reader) and process them in batches, or bound the rows read",
                "DataFrame.LoadCsv loads every row of 'orders.csv' into this process's memory at once; stream the rows (CsvHelper GetRecords, a data reader) and process them in batches, or bound the rows read")
            .RunAsync();

    [Fact]
    public Task Text_read_whole_then_loaded_and_an_unbounded_query_loaded_are_reported()
        => Analyzer("""
            using System.Data.Common;
            using System.IO;
            using System.Net.Http;
            using System.Threading.Tasks;
            using Microsoft.Data.Analysis;

            class Report
            {
                async Task<long> Run(string path, HttpClient http, DbConnection connection, TextReader input)
                {
                    var text = await File.ReadAllTextAsync(path);
                    var fromFile = [|DataFrame.LoadCsvFromString(text)|];
                    var fromHttp = [|DataFrame.LoadCsvFromString(await http.GetStringAsync("https://example.test/orders.csv"))|];
                    var fromReader = [|DataFrame.LoadCsvFromString(input.ReadToEnd())|];

                    using var command = connection.CreateCommand();
                    command.CommandText = "SELECT * FROM orders";
                    using var reader = await command.ExecuteReaderAsync();
                    var fromQuery = await [|DataFrame.LoadFrom(reader)|];

                    return fromFile.Rows.Count + fromHttp.Rows.Count + fromReader.Rows.Count + fromQuery.Rows.Count;
                }
            }
            """).RunAsync();

    [Fact]
    public Task Parquet_files_read_whole_are_reported()
        => Analyzer("""
            using System.IO;
            using System.Threading.Tasks;
            using Parquet;
            using Parquet.Rows;
            using Parquet.Serialization;

            class Report
            {
                async Task<int> Run(string path, Stream stream, ParquetReader reader)
                {
                    var orders = await [|ParquetSerializer.DeserializeAsync<Order>(path)|];
                    var fromStream = await [|ParquetSerializer.DeserializeAsync<Order>(stream, rowGroupIndex: null)|];
                    var untyped = await [|ParquetSerializer.DeserializeUntypedAsync(File.OpenRead(path))|];
                    var table = await [|reader.ReadAsTableAsync()|];
                    return orders.Data.Count + fromStream.Data.Count + untyped.Data.Count;
                }
            }
            """)
            .WithMessages(
                "ParquetSerializer.DeserializeAsync loads every row of 'path' into this process's memory at once; read one row group at a time (rowGroupIndex, ParquetReader.RowGroupCount)",
                "ParquetSerializer.DeserializeAsync loads every row of 'stream' into this process's memory at once; read one row group at a time (rowGroupIndex, ParquetReader.RowGroupCount)",
                "ParquetSerializer.DeserializeUntypedAsync loads every row of 'File.OpenRead(path)' into this process's memory at once; read one row group at a time (rowGroupIndex, ParquetReader.RowGroupCount)",
                "ReadAsTableAsync loads every row of 'reader' into this process's memory at once; read one row group at a time (rowGroupIndex, ParquetReader.RowGroupCount)")
            .RunAsync();

    // ---- Near misses ---------------------------------------------------------------------------

    [Fact]
    public Task Bounded_in_memory_and_callers_sources_are_silent()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Data.Common;
            using System.Threading.Tasks;
            using Microsoft.Data.Analysis;

            class Report
            {
                async Task<long> Run(string path, string csv, DbConnection connection, DbDataReader callers, IEnumerable<IList<object>> rows, IList<(string, System.Type)> columns)
                {
                    var sample = DataFrame.LoadCsv(path, numRows: 1000);
                    var head = DataFrame.LoadCsv(path, numRows: 10, guessRows: 5);
                    var given = DataFrame.LoadCsvFromString(csv);
                    var literal = DataFrame.LoadCsvFromString("id,amount\n1,2\n");
                    var text = System.IO.File.ReadAllText(path);
                    var firstRows = DataFrame.LoadCsvFromString(text, numberOfRowsToRead: 100);

                    using var command = connection.CreateCommand();
                    command.CommandText = "SELECT TOP 100 * FROM orders";
                    using var reader = await command.ExecuteReaderAsync();
                    var top = await DataFrame.LoadFrom(reader);
                    var unknown = await DataFrame.LoadFrom(callers);
                    var inMemory = DataFrame.LoadFrom(rows, columns);

                    return sample.Rows.Count + head.Rows.Count + given.Rows.Count + literal.Rows.Count + firstRows.Rows.Count
                        + top.Rows.Count + unknown.Rows.Count + inMemory.Rows.Count;
                }
            }
            """).RunAsync();

    [Fact]
    public Task One_row_group_at_a_time_or_bytes_in_memory_are_silent()
        => Analyzer("""
            using System.IO;
            using System.Threading.Tasks;
            using Parquet;
            using Parquet.Serialization;

            class Report
            {
                async Task<int> Run(string path, byte[] bytes)
                {
                    await using var reader = await ParquetReader.CreateAsync(path);
                    var total = 0;
                    for (var group = 0; group < reader.RowGroupCount; group++)
                    {
                        var part = await ParquetSerializer.DeserializeAsync<Order>(path, rowGroupIndex: group);
                        total += part.Data.Count;
                    }

                    var inMemory = await ParquetSerializer.DeserializeAsync<Order>(new MemoryStream(bytes));
                    var buffer = new MemoryStream(bytes);
                    var buffered = await ParquetSerializer.DeserializeAsync<Order>(buffer);
                    return total + inMemory.Data.Count + buffered.Data.Count;
                }
            }
            """).RunAsync();

    [Fact]
    public Task Nothing_is_reported_without_the_libraries()
        => Verify.Analyzer<DatasetLoadedWholeAnalyzer>()
            .WithSource("""
                namespace Microsoft.Data
                {
                    public class DataFrame
                    {
                        public static DataFrame LoadCsv(string filename) => new();
                    }
                }

                class Report
                {
                    object Run(string path) => Microsoft.Data.DataFrame.LoadCsv(path);
                }
                """)
            .RunAsync();
}
