using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;

namespace Sluice.Analyzers.Idempotency;

/// <summary>
/// SLU404: finds a Polly <c>RetryStrategyOptions</c> that waits a constant or linear delay — Polly's default
/// <c>BackoffType</c> is <c>Constant</c> — without <c>UseJitter = true</c>. Silent when <c>DelayGenerator</c> is set (the
/// delay is custom), when <c>Delay</c> is <c>TimeSpan.Zero</c> (no wait to spread), and when a setting is not a constant.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RetryWithoutJitterAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.RetryWithoutJitter,
        title: "Retry with constant delay and no jitter",
        messageFormat: "This retry waits a {0} delay with no jitter, so every client that failed together retries together; use BackoffType = DelayBackoffType.Exponential and UseJitter = true",
        RuleCategories.Idempotency,
        DiagnosticSeverity.Info,
        description: "When a dependency fails, every worker sees the failure at the same moment. With the same fixed delay "
            + "they all come back at the same moment too, and knock it over again (a thundering herd). Exponential backoff "
            + "gives it room to recover; jitter spreads the retries out.");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (PollyRetryOptions.TryCreate(KnownTypes.Of(start.Compilation)) is not { } polly)
            {
                return;
            }

            start.RegisterOperationAction(c => AnalyzeCreation(c, polly), OperationKind.ObjectCreation);
        });
    }

    private static void AnalyzeCreation(OperationAnalysisContext context, PollyRetryOptions polly)
    {
        var creation = (IObjectCreationOperation)context.Operation;
        if (!polly.IsExactlyRetryOptions(creation.Type)
            || BackoffWithoutJitter(creation) is not { } backoff)
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(Rule, ReportLocations.ObjectCreation(creation), backoff));
    }

    /// <summary>"constant" or "linear" when the options wait that way with no jitter; null otherwise.</summary>
    internal static string? BackoffWithoutJitter(IObjectCreationOperation creation)
    {
        if (PollyRetryOptions.Settings(creation) is not { } settings
            || settings.ContainsKey("DelayGenerator"))
        {
            return null;
        }

        if (settings.TryGetValue("UseJitter", out var jitter) && jitter.Value.ConstantValue is not { HasValue: true, Value: false })
        {
            return null;
        }

        if (settings.TryGetValue("Delay", out var delay) && IsZero(delay.Value))
        {
            return null;
        }

        if (!settings.TryGetValue("BackoffType", out var backoff))
        {
            return "constant";
        }

        return backoff.Value.ConstantValue is { HasValue: true, Value: int kind } && backoff.Value.Type is { Name: "DelayBackoffType" }
            ? kind switch
            {
                0 => "constant",
                1 => "linear",
                _ => null,
            }
            : null;
    }

    private static bool IsZero(IOperation value)
        => value switch
        {
            IFieldReferenceOperation { Field.Name: "Zero", Field.ContainingType.Name: "TimeSpan" } => true,
            IDefaultValueOperation => true,
            IInvocationOperation { TargetMethod.ContainingType.Name: "TimeSpan", Arguments.Length: 1 } invocation
                => invocation.TargetMethod.Name.StartsWith("From", System.StringComparison.Ordinal)
                    && invocation.Arguments[0].Value.WalkDownConversion().ConstantValue is { HasValue: true } constant
                    && System.Convert.ToDouble(constant.Value, System.Globalization.CultureInfo.InvariantCulture) == 0,
            _ => false,
        };
}
