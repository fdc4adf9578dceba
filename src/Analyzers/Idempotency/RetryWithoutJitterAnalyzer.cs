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
/// Polly v7's <c>WaitAndRetry</c>/<c>WaitAndRetryAsync</c> with constant or linear durations are reported too.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RetryWithoutJitterAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.RetryWithoutJitter,
        title: "Retry with constant delay and no jitter",
        messageFormat: "This retry waits a {0} delay with no jitter, so every client that failed together retries together; {1}",
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
            var types = KnownTypes.Of(start.Compilation);
            if (PollyV7Policies.TryCreate(types) is { } v7)
            {
                start.RegisterOperationAction(c => AnalyzeV7Retry(c, v7), OperationKind.Invocation);
            }

            if (PollyRetryOptions.TryCreate(types) is not { } polly)
            {
                return;
            }

            start.RegisterOperationAction(c => AnalyzeCreation(c, polly), OperationKind.ObjectCreation);
        });
    }

    /// <summary>The diagnostic property that marks a Polly v7 finding, which the fix leaves alone.</summary>
    internal const string PollyV7Property = "PollyV7";

    private const string V8Remedy = "use BackoffType = DelayBackoffType.Exponential and UseJitter = true";

    private const string V7Remedy = "wait an exponentially growing delay with random jitter (a sleepDurationProvider that adds a random part, or a Polly v8 retry with UseJitter = true)";

    /// <summary>
    /// Polly v7's <c>WaitAndRetry</c>/<c>WaitAndRetryAsync</c> with constant or linear durations (see
    /// <see cref="PollyV7Policies.ConstantOrLinearBackoff"/>). No fix: v7 has no jitter switch, and moving the policy to a
    /// v8 pipeline changes its type for every caller.
    /// </summary>
    private static void AnalyzeV7Retry(OperationAnalysisContext context, PollyV7Policies v7)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (!PollyV7Policies.IsWaitAndRetry(invocation) || !v7.IsRetryCreation(invocation)
            || PollyV7Policies.ConstantOrLinearBackoff(invocation) is not { } backoff)
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            Rule,
            ReportLocations.MethodName(invocation),
            ImmutableDictionary<string, string?>.Empty.Add(PollyV7Property, "true"),
            backoff,
            V7Remedy));
    }

    private static void AnalyzeCreation(OperationAnalysisContext context, PollyRetryOptions polly)
    {
        var creation = (IObjectCreationOperation)context.Operation;
        if (!polly.IsExactlyRetryOptions(creation.Type)
            || BackoffWithoutJitter(creation) is not { } backoff)
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(Rule, ReportLocations.ObjectCreation(creation), backoff, V8Remedy));
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
