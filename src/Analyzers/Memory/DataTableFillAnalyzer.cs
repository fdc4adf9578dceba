using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;

namespace Sluice.Analyzers.Memory;

/// <summary>
/// SLU104: finds a whole result set loaded into memory through ADO.NET's disconnected classes: a data adapter's
/// <c>Fill</c> (DbDataAdapter and every provider's adapter), <c>DataTable.Load</c> and <c>DataSet.Load</c>. The
/// <c>Fill(startRecord, maxRecords, ...)</c> overloads are bounded and stay silent, as does <c>FillSchema</c>, a query
/// whose constant SQL is bounded (see <see cref="CommandText"/>), and SQL handed in as a parameter of the method (a
/// general-purpose executor: the caller picks the query and its bound).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DataTableFillAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.DataTableFill,
        title: "Whole result set loaded into a DataTable/DataSet",
        messageFormat: "{0} loads the whole result set into a {1} in memory; read the rows with a DbDataReader and process them as they arrive",
        RuleCategories.Memory,
        DiagnosticSeverity.Info,
        description: "A DataTable or DataSet holds every row of the result, boxed and change-tracked, before the first is "
            + "processed. For a result that grows with the data, read it with a DbDataReader row by row, or page the query.");

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
            var dataAdapter = types.DataAdapter;
            var dataTable = types.DataTable;
            var dataSet = types.DataSet;
            if (dataAdapter is null || dataTable is null || dataSet is null)
            {
                return;
            }

            start.RegisterOperationAction(
                c =>
                {
                    var call = (IInvocationOperation)c.Operation;
                    var method = call.TargetMethod;
                    string? what = null;
                    string? into = null;
                    IOperation? rows = null;
                    if (method.Name == "Fill" && TypeSymbols.BaseOrSelf(method.ContainingType, dataAdapter) is not null
                        && !method.Parameters.Any(p => p.Name == "maxRecords"))
                    {
                        what = $"{call.Instance?.Type?.Name ?? method.ContainingType.Name}.Fill";
                        into = method.Parameters.Any(p => SymbolEqualityComparer.Default.Equals(p.Type, dataTable) || p.Type is IArrayTypeSymbol { ElementType: var element } && SymbolEqualityComparer.Default.Equals(element, dataTable))
                            ? "DataTable"
                            : "DataSet";
                        rows = call.Instance;
                    }
                    else if (method.Name == "Load" && (TypeSymbols.BaseOrSelf(method.ContainingType, dataTable) is not null || TypeSymbols.BaseOrSelf(method.ContainingType, dataSet) is not null))
                    {
                        into = TypeSymbols.BaseOrSelf(method.ContainingType, dataTable) is not null ? "DataTable" : "DataSet";
                        what = $"{into}.Load";
                        rows = call.Arguments.FirstOrDefault()?.Value;
                    }

                    if (what is null)
                    {
                        return;
                    }

                    // The SQL decides: a bounded query (LIMIT, a key lookup, the catalog) loads a bounded table, and SQL
                    // handed in by the caller makes this a general-purpose executor whose bound is the caller's.
                    var sql = rows is null ? null : CommandText.Of(rows);
                    if (sql is { IsBoundedSql: true } or { Origin: CommandTextOrigin.Parameter })
                    {
                        return;
                    }

                    c.ReportDiagnostic(Diagnostic.Create(Rule, call.Syntax.GetLocation(), what, into));
                },
                OperationKind.Invocation);
        });
    }
}
