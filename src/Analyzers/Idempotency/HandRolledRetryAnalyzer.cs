using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;

namespace Sluice.Analyzers.Idempotency;

/// <summary>
/// SLU402: finds a <c>for</c>, <c>while</c> or <c>do</c> loop that retries a try block by hand — a catch that lets the
/// loop run the try again after a <c>Thread.Sleep</c> / <c>Task.Delay</c>, or under an attempt counter compared to a
/// limit — while a successful attempt leaves the loop. See <see cref="RetryLoops"/> for the exact shape.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class HandRolledRetryAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.HandRolledRetry,
        title: "Hand-rolled retry loop",
        messageFormat: "This loop retries {0} by hand; use SluiceResilience.Retry/RetryAsync or a Polly retry, with exponential backoff and jitter on transient failures",
        RuleCategories.Idempotency,
        DiagnosticSeverity.Warning,
        description: "A retry loop written by hand usually sleeps a fixed time (every client retries in step), retries "
            + "failures that will never succeed, and gets the attempt count, cancellation and the final exception subtly "
            + "wrong. A retry strategy does exponential backoff with jitter on transient failures only.");

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
            if (types.Exception is null)
            {
                return;
            }

            start.RegisterOperationAction(c => AnalyzeLoop(c, types), OperationKind.Loop);
        });
    }

    private static void AnalyzeLoop(OperationAnalysisContext context, KnownTypes types)
    {
        var loop = (ILoopOperation)context.Operation;
        if (loop.LoopKind is not (LoopKind.For or LoopKind.While) || !RetryLoops.TryMatch(loop, types, out var shape))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(Rule, ReportLocations.LoopHeader(loop.Syntax), Describe(shape!)));
    }

    /// <summary>"'FetchAsync'": the first call of the try block, by method name (or delegate name); else "its try block".</summary>
    internal static string Describe(RetryLoopShape shape)
    {
        var call = shape.Try.Body.OwnDescendants()
            .OfType<IInvocationOperation>()
            .OrderBy(i => i.Syntax.SpanStart)
            .FirstOrDefault();
        var name = call switch
        {
            { TargetMethod.MethodKind: MethodKind.DelegateInvoke, Instance: { } target } => target switch
            {
                ILocalReferenceOperation local => local.Local.Name,
                IParameterReferenceOperation parameter => parameter.Parameter.Name,
                IFieldReferenceOperation field => field.Field.Name,
                IPropertyReferenceOperation property => property.Property.Name,
                _ => null,
            },
            { } invocation => invocation.TargetMethod.Name,
            _ => null,
        };
        return name is null ? "its try block" : $"'{name}'";
    }
}
