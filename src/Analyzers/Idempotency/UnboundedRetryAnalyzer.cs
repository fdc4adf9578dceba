using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;

namespace Sluice.Analyzers.Idempotency;

/// <summary>
/// SLU405: finds retries that never give up — a hand-rolled retry loop (<see cref="RetryLoops"/>) written as
/// <c>while (true)</c>, <c>for (;;)</c> or <c>do ... while (true)</c> with no attempt limit and no way out for a failed
/// attempt (or one that spins on a success flag or a connection's state with no attempt bound), a Polly
/// <c>RetryStrategyOptions</c> whose <c>MaxRetryAttempts</c> is <c>int.MaxValue</c>, and Polly v7's <c>RetryForever</c> /
/// <c>WaitAndRetryForever</c> (and their <c>Async</c> forms).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnboundedRetryAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic property with the attempt count (the first included) the fix writes.</summary>
    internal const string MaxAttemptsProperty = "MaxAttempts";

    internal static readonly IntOption MaxAttempts = new(
        RuleIds.UnboundedRetry, "max_attempts", defaultValue: 5, min: 2, max: 100,
        "The attempts in total (the first included) the fix allows; a Polly retry gets MaxRetryAttempts = max_attempts - 1.");

    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.UnboundedRetry,
        title: "Unbounded retry",
        messageFormat: "{0} retries forever, so a failure that never heals stalls the pipeline; bound the attempts and let the last failure through",
        RuleCategories.Idempotency,
        DiagnosticSeverity.Info,
        description: "A retry with no attempt limit turns a permanent failure (a bad record, a revoked credential, a dropped "
            + "table) into a job that hangs forever, holding its partition, while nothing alerts anyone. Bound the "
            + "attempts, and let the last failure reach the code that dead-letters or reports it.");

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
                start.RegisterOperationAction(c => AnalyzeV7Retry(c, v7), OperationKind.Invocation);
            }

            if (types.GenericRetryStrategyOptions is { } retryOptions)
            {
                start.RegisterOperationAction(c => AnalyzeAssignment(c, retryOptions), OperationKind.SimpleAssignment);
            }
        });
    }

    private static void AnalyzeLoop(OperationAnalysisContext context, KnownTypes types)
    {
        var loop = (ILoopOperation)context.Operation;
        if (loop.LoopKind is not (LoopKind.For or LoopKind.While)
            || !RetryLoops.TryMatch(loop, types, out var shape)
            || !shape!.IsUnbounded)
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            Rule, ReportLocations.LoopHeader(loop.Syntax), Properties(context, loop), "This retry loop"));
    }

    /// <summary>
    /// Polly v7's <c>RetryForever</c>, <c>WaitAndRetryForever</c> and their <c>Async</c> forms. No fix: the bounded
    /// overloads take the attempt count first and a differently shaped <c>onRetry</c>, so the rewrite is left to the docs.
    /// </summary>
    private static void AnalyzeV7Retry(OperationAnalysisContext context, PollyV7Policies v7)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (!PollyV7Policies.IsForever(invocation) || !v7.IsRetryCreation(invocation))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            Rule, ReportLocations.MethodName(invocation), $"This Polly '{invocation.TargetMethod.Name}' policy"));
    }

    private static void AnalyzeAssignment(OperationAnalysisContext context, INamedTypeSymbol retryOptions)
    {
        var assignment = (ISimpleAssignmentOperation)context.Operation;
        if (assignment.Target is not IPropertyReferenceOperation { Property.Name: "MaxRetryAttempts" } property
            || !IsRetryOptions(property.Property.ContainingType, retryOptions)
            || assignment.Value.WalkDownConversion().ConstantValue is not { HasValue: true, Value: int.MaxValue })
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            Rule, assignment.Value.Syntax.GetLocation(), Properties(context, assignment), "MaxRetryAttempts = int.MaxValue"));
    }

    private static bool IsRetryOptions(INamedTypeSymbol? type, INamedTypeSymbol retryOptions)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, retryOptions))
            {
                return true;
            }
        }

        return false;
    }

    private static ImmutableDictionary<string, string?> Properties(OperationAnalysisContext context, IOperation operation)
        => ImmutableDictionary<string, string?>.Empty.Add(
            MaxAttemptsProperty,
            MaxAttempts.Read(context.Options, operation.Syntax.SyntaxTree).ToString(CultureInfo.InvariantCulture));
}
