using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Reliability;

/// <summary>
/// SLU202: finds a catch inside a loop over records (<c>foreach</c>, <c>await foreach</c>, <c>while (reader.Read())</c>,
/// <c>while (channel.TryRead(out var item))</c>) that logs the failure — even with the exception object — and moves on to
/// the next record, so the record is lost: visible in a log, but never retried, dead-lettered or reported to the caller.
/// Catches that do not even keep the exception are SLU201's; this rule leaves them to it.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RecordDroppedAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.RecordDropped,
        title: "Record dropped on failure",
        messageFormat: "'{0}' logs the failure and moves on to the next record, so {1} is lost: nothing rethrows, retries or dead-letters it",
        RuleCategories.Reliability,
        DiagnosticSeverity.Warning,
        description: "A per-record catch that only logs turns a failure into a log line: the record is not written, not "
            + "retried and not kept for replay, and the job reports success. Dead-letter the record with its exception, "
            + "or rethrow after logging.");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var types = ExceptionTypes.TryCreate(start.Compilation);
            if (types is null)
            {
                return;
            }

            var readers = new[]
            {
                start.Compilation.GetTypeByMetadataName("System.Data.IDataReader"),
                start.Compilation.GetTypeByMetadataName("System.Data.Common.DbDataReader"),
                start.Compilation.GetTypeByMetadataName("System.Threading.Channels.ChannelReader`1"),
            };
            start.RegisterOperationAction(c => AnalyzeCatch(c, types, readers), OperationKind.CatchClause);
        });
    }

    private static void AnalyzeCatch(OperationAnalysisContext context, ExceptionTypes types, INamedTypeSymbol?[] readers)
    {
        var catchClause = (ICatchClauseOperation)context.Operation;
        if (catchClause.Syntax is not CatchClauseSyntax syntax
            || catchClause.Parent is not ITryOperation tryOperation
            || RecordLoop(tryOperation, readers) is not { } loop
            || SwallowedExceptionAnalyzer.SwallowReason(catchClause, types) is not null
            || SwallowedExceptionAnalyzer.IsTiedToCancellation(catchClause, types)
            || !Logs(catchClause.Handler)
            || SwallowedExceptionAnalyzer.Throws(catchClause.Handler)
            || !GoesOn(catchClause, loop.Operation)
            || KeepsTheFailure(catchClause, loop.Record))
        {
            return;
        }

        var recordText = loop.Record is null ? "the current record" : $"'{loop.Record.Name}'";
        context.ReportDiagnostic(Diagnostic.Create(
            Rule,
            SwallowedExceptionAnalyzer.Location(syntax),
            "catch" + (syntax.Declaration is null ? "" : " " + syntax.Declaration),
            recordText));
    }

    /// <summary>
    /// The loop whose body holds the try, when it iterates records: any foreach, or a while loop reading a data reader or
    /// a channel. A for loop (an attempt counter) is not a record loop. Lambdas and local functions stop the search.
    /// </summary>
    private static (ILoopOperation Operation, ILocalSymbol? Record)? RecordLoop(ITryOperation tryOperation, INamedTypeSymbol?[] readers)
    {
        for (var current = tryOperation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                    return null;
                case IForEachLoopOperation forEach:
                    return (forEach, forEach.Locals.Length == 1 ? forEach.Locals[0] : null);
                case IWhileLoopOperation { Condition: { } condition } whileLoop:
                    return ReadsRecords(condition, readers, out var record) ? (whileLoop, record) : null;
                case ILoopOperation:
                    return null;
            }
        }

        return null;
    }

    /// <summary><c>reader.Read()</c>, <c>await reader.ReadAsync()</c> or <c>channel.TryRead(out var item)</c>.</summary>
    private static bool ReadsRecords(IOperation condition, INamedTypeSymbol?[] readers, out ILocalSymbol? record)
    {
        record = null;
        var call = condition.WalkDownConversion() switch
        {
            IAwaitOperation { Operation: IInvocationOperation awaited } => awaited,
            IInvocationOperation direct => direct,
            _ => null,
        };
        if (call is not { TargetMethod.Name: "Read" or "ReadAsync" or "TryRead" } || call.Instance?.Type is not { } receiver
            || !readers.Any(reader => TypeSymbols.IsOrDerives(receiver, reader)))
        {
            return false;
        }

        if (call.TargetMethod.Name == "TryRead" && call.Arguments.FirstOrDefault()?.Value is IDeclarationExpressionOperation { Expression: ILocalReferenceOperation item })
        {
            record = item.Local;
        }

        return true;
    }

    /// <summary>A call to a logger or a console/trace writer in the handler: the failure is seen, the record is not kept.</summary>
    private static bool Logs(IOperation handler)
        => handler.Descendants().OfType<IInvocationOperation>().Any(IsLogging);

    private static bool IsLogging(IInvocationOperation call)
    {
        var method = call.TargetMethod;
        var type = method.ContainingType;
        return method.Name.StartsWith("Log", StringComparison.Ordinal)
            || method.Name is "Error" or "Warning" or "Warn" or "Information" or "Info" or "Fatal" or "Critical"
            || type is { Name: "Console" or "Debug" or "Trace", ContainingNamespace.Name: "System" or "Diagnostics" }
            || (method.Name is "Write" or "WriteLine" && type is { Name: "TextWriter" });
    }

    /// <summary>The handler lets the loop go on: its end is reachable, or it continues this loop.</summary>
    private static bool GoesOn(ICatchClauseOperation catchClause, ILoopOperation loop)
    {
        var body = catchClause.Handler;
        if (body.Operations.IsEmpty)
        {
            return true;
        }

        if (body.Descendants().OfType<IBranchOperation>().Any(branch => branch.BranchKind == BranchKind.Continue && SymbolEqualityComparer.Default.Equals(branch.Target, loop.ContinueLabel)))
        {
            return true;
        }

        var flow = catchClause.SemanticModel?.AnalyzeControlFlow(body.Operations[0].Syntax, body.Operations[body.Operations.Length - 1].Syntax);
        return flow is not { Succeeded: true, EndPointIsReachable: false };
    }

    /// <summary>
    /// The failure is kept somewhere other than a log: a call (not a logging one) receives both the record and the
    /// exception (a dead-letter sink, a failures list), or the exception goes into a collection the caller can see (a
    /// field, a property, a parameter, or a local the method returns).
    /// </summary>
    private static bool KeepsTheFailure(ICatchClauseOperation catchClause, ILocalSymbol? record)
    {
        var exception = (catchClause.ExceptionDeclarationOrExpression as IVariableDeclaratorOperation)?.Symbol;
        if (exception is null)
        {
            return false;
        }

        foreach (var call in catchClause.Handler.Descendants().OfType<IInvocationOperation>().Where(c => !IsLogging(c)))
        {
            var arguments = call.Arguments.SelectMany(a => a.Value.DescendantsAndSelf()).ToList();
            var passesException = arguments.Any(a => References(a, exception));
            if (!passesException)
            {
                continue;
            }

            if (record is not null && arguments.Any(a => References(a, record)))
            {
                return true;
            }

            if (call.Instance?.WalkDownConversion() is { } receiver && IsVisibleToCaller(receiver, catchClause))
            {
                return true;
            }
        }

        return false;
    }

    private static bool References(IOperation operation, ISymbol symbol)
        => operation is ILocalReferenceOperation local && SymbolEqualityComparer.Default.Equals(local.Local, symbol);

    private static bool IsVisibleToCaller(IOperation receiver, IOperation within)
    {
        switch (receiver)
        {
            case IFieldReferenceOperation or IPropertyReferenceOperation or IParameterReferenceOperation:
                return true;
            case ILocalReferenceOperation local:
                return within.Root().Descendants().OfType<IReturnOperation>()
                    .Any(r => r.ReturnedValue is { } value && value.DescendantsAndSelf().Any(v => References(v, local.Local)));
            default:
                return false;
        }
    }
}
