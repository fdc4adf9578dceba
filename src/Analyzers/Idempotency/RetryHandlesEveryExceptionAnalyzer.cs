using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;

namespace Sluice.Analyzers.Idempotency;

/// <summary>
/// SLU403: finds retries that handle every exception, so permanent failures are retried too: a Polly
/// <c>RetryStrategyOptions</c> with no <c>ShouldHandle</c> (Polly's default handles every exception but cancellation), a
/// <c>ShouldHandle</c> built with <c>Handle&lt;Exception&gt;()</c>, and a hand-rolled retry loop (<see cref="RetryLoops"/>)
/// whose retrying catch is a catch-all or <c>catch (Exception)</c> with no condition on the exception (a <c>when</c> that
/// only compares the attempt counter is none) — and Polly v7's <c>Policy.Handle&lt;Exception&gt;()</c> in a chain that ends
/// in a retry (see <see cref="PollyV7Policies"/>) — except in a
/// readiness wait (a method named <c>WaitFor...</c>/<c>WaitUntil...</c>), where every failure means "not ready yet".
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RetryHandlesEveryExceptionAnalyzer : DiagnosticAnalyzer
{
    internal static readonly StringOption ReadinessWaitPrefixes = new(
        RuleIds.RetryHandlesEveryException, "readiness_wait_prefixes", RetryDefects.DefaultReadinessPrefixes,
        "Comma-separated method-name prefixes of readiness waits, whose loops retry every failure by design.");

    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.RetryHandlesEveryException,
        title: "Retry handles every exception",
        messageFormat: "{0} retries every exception, so permanent failures (an ArgumentException, a validation error, a 400) are retried too; retry transient failures only",
        RuleCategories.Idempotency,
        DiagnosticSeverity.Warning,
        description: "Retrying a failure that cannot succeed wastes the retry budget, delays the real error, and repeats "
            + "whatever side effects the failed attempt had. Retry only transient failures: timeouts, I/O and network "
            + "errors, 5xx/408/429 responses, transient database errors.");

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

            if (PollyV7Policies.TryCreate(types) is { } v7)
            {
                start.RegisterOperationAction(c => AnalyzeV7Handle(c, v7), OperationKind.Invocation);
            }

            if (PollyRetryOptions.TryCreate(types) is { } polly)
            {
                start.RegisterOperationAction(c => AnalyzeCreation(c, polly), OperationKind.ObjectCreation);
                if (polly.PredicateBuilder is not null)
                {
                    start.RegisterOperationAction(c => AnalyzeHandle(c, polly, types), OperationKind.Invocation);
                }
            }
        });
    }

    private static void AnalyzeLoop(OperationAnalysisContext context, KnownTypes types)
    {
        var loop = (ILoopOperation)context.Operation;
        if (loop.LoopKind is not (LoopKind.For or LoopKind.While)
            || !RetryLoops.TryMatch(loop, types, out var shape)
            || shape!.CatchAllClauses.IsEmpty
            || RetryDefects.IsReadinessWait(loop, ReadinessWaitPrefixes.Read(context.Options, loop.Syntax.SyntaxTree)))
        {
            return;
        }

        foreach (var catchClause in shape!.CatchAllClauses)
        {
            if (catchClause.Syntax is CatchClauseSyntax syntax)
            {
                var written = syntax.Declaration is null ? "catch" : $"catch ({syntax.Declaration.Type})";
                context.ReportDiagnostic(Diagnostic.Create(Rule, ReportLocations.Catch(syntax), $"This retry loop's '{written}'"));
            }
        }
    }

    private static void AnalyzeCreation(OperationAnalysisContext context, PollyRetryOptions polly)
    {
        var creation = (IObjectCreationOperation)context.Operation;
        if (!polly.IsExactlyRetryOptions(creation.Type)
            || PollyRetryOptions.Settings(creation) is not { } settings
            || settings.ContainsKey("ShouldHandle"))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(Rule, ReportLocations.ObjectCreation(creation), "This retry (no ShouldHandle: Polly's default)"));
    }

    private static void AnalyzeHandle(OperationAnalysisContext context, PollyRetryOptions polly, KnownTypes types)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (!IsHandleEverything(invocation, polly, types) || !FeedsRetryShouldHandle(invocation, polly))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(), $"'Handle<{invocation.TargetMethod.TypeArguments[0].Name}>()'"));
    }

    /// <summary>
    /// Polly v7: <c>Policy.Handle&lt;Exception&gt;()</c> (or <c>Or</c>, <c>HandleInner</c>, <c>OrInner</c>, or
    /// <c>SystemException</c>) with no predicate, in a builder chain that ends in a retry. A chain that ends in a circuit
    /// breaker or a fallback is not a retry.
    /// </summary>
    private static void AnalyzeV7Handle(OperationAnalysisContext context, PollyV7Policies v7)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (!v7.HandlesEverything(invocation) || v7.RetryOfChain(invocation) is null)
        {
            return;
        }

        var method = invocation.TargetMethod;
        context.ReportDiagnostic(Diagnostic.Create(
            Rule, ReportLocations.CalledName(invocation), $"'{method.Name}<{method.TypeArguments[0].Name}>()'"));
    }

    /// <summary><c>PredicateBuilder.Handle&lt;Exception&gt;()</c> (or <c>SystemException</c>) with no predicate.</summary>
    internal static bool IsHandleEverything(IInvocationOperation invocation, PollyRetryOptions polly, KnownTypes types)
        => invocation.TargetMethod is { Name: "Handle", Parameters.Length: 0, TypeArguments.Length: 1 } method
            && SymbolEqualityComparer.Default.Equals(method.ContainingType.OriginalDefinition, polly.PredicateBuilder)
            && types.IsBroadException(method.TypeArguments[0]);

    /// <summary>True when the builder chain the call is part of is assigned to a retry options' <c>ShouldHandle</c>.</summary>
    private static bool FeedsRetryShouldHandle(IOperation operation, PollyRetryOptions polly)
    {
        var current = operation;
        while (current.Parent is IInvocationOperation { Instance: { } instance } next && instance == current
            || current.Parent is IConversionOperation)
        {
            current = current.Parent!;
        }

        return current.Parent is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "ShouldHandle" } property }
            && polly.IsRetryOptionsProperty(property.Property);
    }
}
