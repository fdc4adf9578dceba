using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;

namespace Sluice.Analyzers.Memory;

/// <summary>
/// SLU103: finds Dapper <c>Query</c>/<c>QueryAsync</c> calls that buffer (the default) a SELECT whose constant SQL text
/// bounds nothing: no TOP/LIMIT/FETCH FIRST, no key lookup in the WHERE clause, not only aggregates. Buffering reads every
/// row into a list before the caller sees the first. SQL that is not a constant is never reported.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BufferedDapperQueryAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic property that tells the fix how the call buffers.</summary>
    internal const string ShapeProperty = "Shape";

    /// <summary>A <c>buffered</c> parameter (Query and the multi-mapping overloads), left true.</summary>
    internal const string BufferedParameterShape = "BufferedParameter";

    /// <summary>A <c>new CommandDefinition(...)</c> argument whose flags include Buffered.</summary>
    internal const string CommandDefinitionShape = "CommandDefinition";

    /// <summary>QueryAsync with SQL text, which always buffers.</summary>
    internal const string AsyncShape = "Async";

    private const int BufferedFlag = 1;
    private const int TextCommandType = 1;

    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.BufferedDapperQuery,
        title: "Buffered Dapper query over an unbounded result",
        messageFormat: "{0} reads every row of {1} into a list before the first is used, and the SQL has no LIMIT, TOP, FETCH FIRST or key lookup; stream the rows unbuffered",
        RuleCategories.Memory,
        DiagnosticSeverity.Warning,
        description: "Dapper buffers query results by default: every row is materialised in a List before the call returns. "
            + "Over a table that grows with the business this is the whole table in one process. Read the rows unbuffered "
            + "(buffered: false, QueryUnbufferedAsync, or CommandFlags.None) and process them as they arrive.");

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
            var sqlMapper = types.DapperSqlMapper;
            var commandDefinition = types.DapperCommandDefinition;
            if (sqlMapper is null || commandDefinition is null)
            {
                return;
            }

            start.RegisterOperationAction(c => AnalyzeInvocation(c, sqlMapper, commandDefinition), OperationKind.Invocation);
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, INamedTypeSymbol sqlMapper, INamedTypeSymbol commandDefinition)
    {
        var call = (IInvocationOperation)context.Operation;
        var method = call.TargetMethod;
        if (method.Name is not ("Query" or "QueryAsync")
            || !SymbolEqualityComparer.Default.Equals(method.ContainingType, sqlMapper)
            || !TryReadBufferedQuery(call, commandDefinition, out var sql, out var shape))
        {
            return;
        }

        if (!SqlBounds.IsUnboundedSelect(sql!, out var table))
        {
            return;
        }

        var name = method.IsGenericMethod
            ? $"{method.Name}<{string.Join(", ", method.TypeArguments.Select(t => t.Name))}>"
            : method.Name;
        var properties = ImmutableDictionary<string, string?>.Empty.Add(ShapeProperty, shape);
        context.ReportDiagnostic(Diagnostic.Create(
            Rule,
            call.Syntax.GetLocation(),
            properties,
            name,
            table is null ? "the query" : $"'{SqlBounds.Unquote(table)}'"));
    }

    /// <summary>
    /// Reads the constant SQL text of a call that buffers, and how it buffers. False (silent) when buffering is off or
    /// not a constant, the command is a stored procedure or not known, or the SQL text is not a constant.
    /// </summary>
    private static bool TryReadBufferedQuery(IInvocationOperation call, INamedTypeSymbol commandDefinition, out string? sql, out string shape)
    {
        sql = null;
        shape = AsyncShape;
        var buffered = call.TargetMethod.Name == "QueryAsync";
        foreach (var argument in call.Arguments)
        {
            var parameter = argument.Parameter;
            if (parameter is null)
            {
                return false;
            }

            var isDefault = argument.ArgumentKind == ArgumentKind.DefaultValue;
            switch (parameter.Name)
            {
                case "sql" when parameter.Type.SpecialType == SpecialType.System_String:
                    sql = argument.Value.ConstantValue is { HasValue: true, Value: string text } ? text : null;
                    break;
                case "buffered" when parameter.Type.SpecialType == SpecialType.System_Boolean:
                    buffered = isDefault || argument.Value.ConstantValue is { HasValue: true, Value: true };
                    shape = BufferedParameterShape;
                    if (!buffered)
                    {
                        return false;
                    }

                    break;
                case "commandType":
                    if (!IsTextCommand(argument.Value, isDefault))
                    {
                        return false;
                    }

                    break;
                case "command" when SymbolEqualityComparer.Default.Equals(parameter.Type, commandDefinition):
                    if (!TryReadCommandDefinition(argument.Value.WalkDownConversion(), commandDefinition, out sql))
                    {
                        return false;
                    }

                    buffered = true;
                    shape = CommandDefinitionShape;
                    break;
            }
        }

        return buffered && sql is not null;
    }

    /// <summary>An inline <c>new CommandDefinition(sql, ..., flags: ...)</c> whose flags are constant and include Buffered.</summary>
    private static bool TryReadCommandDefinition(IOperation value, INamedTypeSymbol commandDefinition, out string? sql)
    {
        sql = null;
        if (value is not IObjectCreationOperation creation
            || !SymbolEqualityComparer.Default.Equals(creation.Type, commandDefinition)
            || creation.Initializer is not null)
        {
            return false;
        }

        var buffered = true;
        foreach (var argument in creation.Arguments)
        {
            var isDefault = argument.ArgumentKind == ArgumentKind.DefaultValue;
            switch (argument.Parameter?.Name)
            {
                case "commandText":
                    sql = argument.Value.ConstantValue is { HasValue: true, Value: string text } ? text : null;
                    break;
                case "flags":
                    buffered = argument.Value.ConstantValue is { HasValue: true, Value: int flags } && (flags & BufferedFlag) != 0;
                    break;
                case "commandType":
                    if (!IsTextCommand(argument.Value, isDefault))
                    {
                        return false;
                    }

                    break;
            }
        }

        return buffered && sql is not null;
    }

    /// <summary>No command type, null, or CommandType.Text: the text is SQL, not a procedure name.</summary>
    private static bool IsTextCommand(IOperation value, bool isDefault)
        => isDefault
            || value.WalkDownConversion() is { ConstantValue: { HasValue: true, Value: null or TextCommandType } }
            || value.ConstantValue is { HasValue: true, Value: null or TextCommandType };
}
