using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;

namespace Sluice.Analyzers.Memory;

/// <summary>
/// SLU109: finds a whole dataset loaded into one process's memory through a single-node dataframe or a whole-file columnar
/// read — the .NET form of <c>pandas.read_csv</c> on a Spark driver:
/// <list type="bullet">
/// <item>Microsoft.Data.Analysis <c>DataFrame.LoadCsv(path or stream)</c> with no positive row count;</item>
/// <item><c>DataFrame.LoadCsvFromString(text)</c> of a text this member read whole from a file, a reader or HTTP;</item>
/// <item><c>await DataFrame.LoadFrom(reader or adapter)</c> whose constant SQL bounds nothing (see <see cref="SqlBounds"/>);</item>
/// <item>Parquet.Net <c>ParquetSerializer.DeserializeAsync&lt;T&gt;</c>/<c>DeserializeUntypedAsync</c> with no
/// <c>rowGroupIndex</c> (every row group at once) from a file or a stream not already in memory;</item>
/// <item><c>ParquetReader.ReadAsTableAsync()</c> (Parquet.Net versions that have it): every row group into one table.</item>
/// </list>
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DatasetLoadedWholeAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.DatasetLoadedWhole,
        title: "Whole dataset loaded into one process through a DataFrame or a whole-file Parquet read",
        messageFormat: "{0} loads every row of {1} into this process's memory at once; {2}",
        RuleCategories.Memory,
        DiagnosticSeverity.Info,
        description: "A single-node DataFrame (Microsoft.Data.Analysis) and a whole-file Parquet read hold every row of the "
            + "dataset in one process, column by column, before the first row is used: the failure of pandas.read_csv on a "
            + "Spark driver. Read a bounded number of rows, read a Parquet file one row group at a time, or stream the rows "
            + "(CsvHelper GetRecords, File.ReadLines, a data reader) and process them in batches.");

    private const string DataFrameAdvice = "stream the rows (CsvHelper GetRecords, a data reader) and process them in batches, or bound the rows read";

    private const string ParquetAdvice = "read one row group at a time (rowGroupIndex, ParquetReader.RowGroupCount)";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var types = KnownTypes.Of(start.Compilation);
            if (types.AnalysisDataFrame is null && types.ParquetSerializer is null && types.ParquetReader is null)
            {
                return;
            }

            start.RegisterOperationAction(c => AnalyzeInvocation(c, types), OperationKind.Invocation);
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, KnownTypes types)
    {
        var call = (IInvocationOperation)context.Operation;
        var method = call.TargetMethod;
        var type = method.ContainingType;
        if (types.AnalysisDataFrame is { } frame && SymbolEqualityComparer.Default.Equals(type, frame))
        {
            var source = method.Name switch
            {
                "LoadCsv" when !HasRowBound(call) => Name(call, "the CSV file"),
                "LoadCsvFromString" when !HasRowBound(call) && ReadWhole(Argument(call, "csvString"), types) => Name(call, "the CSV text"),
                "LoadFrom" when (Argument(call, "reader") ?? Argument(call, "adapter")) is { } database && IsUnboundedSql(database) => "the query",
                _ => null,
            };
            if (source is not null)
            {
                Report(context, call, $"DataFrame.{method.Name}", source, DataFrameAdvice);
            }

            return;
        }

        if (types.ParquetSerializer is { } serializer
            && SymbolEqualityComparer.Default.Equals(type, serializer)
            && method.Name is "DeserializeAsync" or "DeserializeUntypedAsync"
            && ReadsEveryRowGroup(call)
            && call.Arguments.Length > 0
            && !IsInMemory(call.Arguments[0].Value, types))
        {
            Report(context, call, $"ParquetSerializer.{method.Name}", Name(call, "the Parquet file"), ParquetAdvice);
            return;
        }

        if (method.Name == "ReadAsTableAsync"
            && types.ParquetReader is { } reader
            && Receiver(call) is { } parquet
            && TypeSymbols.IsOrDerives(parquet.Type, reader))
        {
            var text = parquet.Syntax.ToString();
            Report(context, call, "ReadAsTableAsync", text.Length <= 60 && text.IndexOf('\n') < 0 ? $"'{text}'" : "the Parquet file", ParquetAdvice);
        }
    }

    private static void Report(OperationAnalysisContext context, IInvocationOperation call, string what, string source, string advice)
        => context.ReportDiagnostic(Diagnostic.Create(Rule, call.Syntax.GetLocation(), what, source, advice));

    private static IOperation? Argument(IInvocationOperation call, string name)
    {
        foreach (var argument in call.Arguments)
        {
            if (argument.Parameter?.Name == name && argument.ArgumentKind == ArgumentKind.Explicit)
            {
                return argument.Value.WalkDownConversion();
            }
        }

        return null;
    }

    private static IOperation? Receiver(IInvocationOperation call)
        => (call.Instance ?? (call.TargetMethod.IsExtensionMethod && call.Arguments.Length > 0 ? call.Arguments[0].Value : null))?.WalkDownConversion();

    /// <summary>The source as the code names it: the first argument's text, when short.</summary>
    private static string Name(IInvocationOperation call, string fallback)
    {
        if (call.Arguments.Length == 0)
        {
            return fallback;
        }

        var value = call.Arguments[0].Value.WalkDownConversion();
        if (value.ConstantValue is { HasValue: true, Value: string constant })
        {
            return $"'{constant}'";
        }

        var text = value.Syntax.ToString();
        return text.Length <= 60 && text.IndexOf('\n') < 0 ? $"'{text}'" : fallback;
    }

    /// <summary>A row count (<c>numRows</c>, <c>numberOfRowsToRead</c>) that is not a constant zero or less (the "all rows" default).</summary>
    private static bool HasRowBound(IInvocationOperation call)
    {
        var rows = Argument(call, "numRows") ?? Argument(call, "numberOfRowsToRead");
        return rows is not null && !(rows.ConstantValue is { HasValue: true, Value: var value } && System.Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) <= 0);
    }

    /// <summary>
    /// The text was read whole in this member: <c>File.ReadAllText(Async)</c>, <c>reader.ReadToEnd(Async)</c>,
    /// <c>HttpClient.GetStringAsync</c> or <c>HttpContent.ReadAsStringAsync</c>, directly or through a local written once.
    /// A string the code already holds (a parameter, a constant) may be a small sample.
    /// </summary>
    private static bool ReadWhole(IOperation? text, KnownTypes types)
    {
        if (text is null)
        {
            return false;
        }

        var origin = LocalValues.Origin(text, text.Root(), ["ConfigureAwait"]);
        if (origin is not IInvocationOperation read)
        {
            return false;
        }

        var owner = read.TargetMethod.ContainingType;
        return read.TargetMethod.Name switch
        {
            "ReadAllText" or "ReadAllTextAsync" => SymbolEqualityComparer.Default.Equals(owner, types.File),
            "ReadToEnd" or "ReadToEndAsync" => TypeSymbols.IsOrDerives(owner, types.TextReader),
            "GetStringAsync" => TypeSymbols.IsOrDerives(owner, types.HttpClient),
            "ReadAsStringAsync" => TypeSymbols.IsOrDerives(owner, types.HttpContent),
            _ => false,
        };
    }

    /// <summary>The reader's or adapter's SQL is a constant that bounds nothing (no TOP/LIMIT, key lookup or aggregate only).</summary>
    private static bool IsUnboundedSql(IOperation database)
    {
        if (database is IAwaitOperation awaited)
        {
            database = awaited.Operation;
        }

        return CommandText.Of(database) is { Origin: CommandTextOrigin.Constant, IsBoundedSql: false };
    }

    /// <summary>The call has a <c>rowGroupIndex</c> parameter (so one group can be read) and leaves it null.</summary>
    private static bool ReadsEveryRowGroup(IInvocationOperation call)
    {
        foreach (var argument in call.Arguments)
        {
            if (argument.Parameter?.Name == "rowGroupIndex")
            {
                return argument.ArgumentKind == ArgumentKind.DefaultValue
                    || argument.Value.WalkDownConversion().ConstantValue is { HasValue: true, Value: null };
            }
        }

        return false;
    }

    /// <summary>A <c>MemoryStream</c> (created here or held in a local written once): the bytes are in memory already.</summary>
    private static bool IsInMemory(IOperation input, KnownTypes types)
        => TypeSymbols.BaseOrSelf(LocalValues.Origin(input.WalkDownConversion(), input.Root(), []).Type, types.MemoryStream) is not null;
}
