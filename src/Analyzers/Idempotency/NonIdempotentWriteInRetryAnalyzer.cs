using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;

namespace Sluice.Analyzers.Idempotency;

/// <summary>
/// SLU401: finds a non-idempotent write — an EF Core add that is saved, a SQL INSERT without conflict handling, an
/// UPDATE that increments a column, an HTTP POST/PATCH without an Idempotency-Key, a file append — inside code that a
/// retry runs again (a Polly <c>Execute</c>/<c>ExecuteAsync</c> callback, <c>SluiceResilience.Retry</c>/<c>RetryAsync</c>).
/// When an attempt fails after the write reached the other side (a lost acknowledgement, a timeout on the response),
/// the retry writes it again: a duplicate payment, a double increment, a repeated line.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NonIdempotentWriteInRetryAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.NonIdempotentWriteInRetry,
        title: "Non-idempotent write inside a retry",
        messageFormat: "'{0}' runs again on every retry of {1}; make it idempotent ({2})",
        RuleCategories.Idempotency,
        DiagnosticSeverity.Info,
        description: "A retry repeats everything in the retried code, including writes that already reached the other side "
            + "before the attempt failed. An insert, an increment, a POST or an append then happens twice. Make the write "
            + "idempotent: an upsert, an absolute SET, an Idempotency-Key header, a whole-file write.");

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
            if (RetryScopes.TryCreate(types) is not { } retries)
            {
                return;
            }

            var writes = new NonIdempotentWrites(types);

            // The retries first, then the writes in them: retried callbacks and retry loops are few, while classifying
            // every invocation, creation and assignment of the compilation was this rule's whole cost.
            start.RegisterOperationAction(
                c =>
                {
                    if (retries.Of((IAnonymousFunctionOperation)c.Operation) is { } scope)
                    {
                        ReportWrites(c, scope, retries, writes);
                    }
                },
                OperationKind.AnonymousFunction);
            start.RegisterOperationAction(
                c =>
                {
                    if (retries.Of((ILoopOperation)c.Operation) is { } scope)
                    {
                        ReportWrites(c, scope, retries, writes);
                    }
                },
                OperationKind.Loop);
        });
    }

    /// <summary>
    /// Reports the writes whose innermost retry is <paramref name="scope"/>: a write in a nested retry is reported once,
    /// from that retry, and a write in a retry loop's catch belongs to the retry around the loop, if any.
    /// </summary>
    private static void ReportWrites(OperationAnalysisContext context, RetryScope scope, RetryScopes retries, NonIdempotentWrites writes)
    {
        foreach (var operation in scope.Body.Descendants())
        {
            if (operation.Kind is not (OperationKind.Invocation or OperationKind.ObjectCreation or OperationKind.SimpleAssignment)
                || writes.Classify(operation) is not { } write
                || retries.Enclosing(operation) is not { } innermost
                || innermost.Body != scope.Body
                || !writes.IsConfirmedIn(write, scope))
            {
                continue;
            }

            context.ReportDiagnostic(Diagnostic.Create(
                Rule,
                operation.Syntax.GetLocation(),
                ImmutableDictionary<string, string?>.Empty.Add(WriteKinds.Property, write.Kind),
                write.What,
                scope.RetryName,
                WriteKinds.Remedy(write.Kind)));
        }
    }
}
