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
/// limit — while a successful attempt leaves the loop (see <see cref="RetryLoops"/>), when the loop gets something wrong
/// (<see cref="RetryDefects"/>): it never gives up, gives up silently, throws away the cause, or blocks a thread in an
/// async method. A bounded loop that lets the last failure through is a deliberate retry and stays silent, unless the
/// Sluice runtime is referenced (then its fix replaces every hand-rolled retry) or
/// <c>sluice.SLU402.report_deliberate_retries = true</c>.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class HandRolledRetryAnalyzer : DiagnosticAnalyzer
{
    internal const string Strategy = "SluiceResilience.Retry/RetryAsync or a Polly retry";

    internal static readonly StringOption ReportDeliberateRetries = new(
        RuleIds.HandRolledRetry, "report_deliberate_retries", "auto",
        "Report bounded retry loops that let the last failure through too: true, false, or auto (true when the Sluice runtime is referenced).");

    internal static readonly StringOption ReadinessWaitPrefixes = new(
        RuleIds.HandRolledRetry, "readiness_wait_prefixes", RetryDefects.DefaultReadinessPrefixes,
        "Comma-separated method-name prefixes of readiness waits, whose loops give up with an exception of their own by design.");

    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.HandRolledRetry,
        title: "Hand-rolled retry loop",
        messageFormat: "This loop retries {0} by hand{1}; {2}",
        RuleCategories.Idempotency,
        DiagnosticSeverity.Info,
        description: "A retry loop written by hand can lose the work it retries: it never gives up and stalls the pipeline, "
            + "or gives up silently and carries on as if the work were done, or replaces the last failure with an exception "
            + "that carries none of its cause. A retry strategy bounds the attempts, waits with exponential backoff and "
            + "jitter, observes cancellation and lets the last failure through.");

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

            var runtimeReferenced = types.SluiceResilience is not null;
            start.RegisterOperationAction(c => AnalyzeLoop(c, types, runtimeReferenced), OperationKind.Loop);
        });
    }

    private static void AnalyzeLoop(OperationAnalysisContext context, KnownTypes types, bool runtimeReferenced)
    {
        var loop = (ILoopOperation)context.Operation;
        if (loop.LoopKind is not (LoopKind.For or LoopKind.While) || !RetryLoops.TryMatch(loop, types, out var shape))
        {
            return;
        }

        var tree = loop.Syntax.SyntaxTree;
        var defect = RetryDefects.Of(shape!);
        if (defect is RetryDefect.GivesUpSilently or RetryDefect.DropsTheFailure
            && RetryDefects.IsReadinessWait(loop, ReadinessWaitPrefixes.Read(context.Options, tree)))
        {
            defect = RetryDefect.None;
        }

        if (defect == RetryDefect.None && !ReportsDeliberateRetries(context.Options, tree, runtimeReferenced))
        {
            return;
        }

        var (what, remedy) = Explain(defect);
        context.ReportDiagnostic(Diagnostic.Create(Rule, ReportLocations.LoopHeader(loop.Syntax), Describe(shape!), what, remedy));
    }

    private static bool ReportsDeliberateRetries(AnalyzerOptions options, SyntaxTree tree, bool runtimeReferenced)
        => ReportDeliberateRetries.Read(options, tree).ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => runtimeReferenced,
        };

    /// <summary>The message's account of the defect, and the remedy it suggests.</summary>
    internal static (string What, string Remedy) Explain(RetryDefect defect)
        => defect switch
        {
            RetryDefect.NeverGivesUp => (
                " and never gives up",
                $"bound the attempts and let the last failure through ({Strategy})"),
            RetryDefect.GivesUpSilently => (
                " and, after the last attempt, carries on as if it had succeeded",
                $"let the last failure through or record it ({Strategy} rethrows it)"),
            RetryDefect.DropsTheFailure => (
                " and, after the last attempt, throws an exception that carries none of the failures",
                "rethrow the last failure, or pass it as the inner exception"),
            RetryDefect.BlocksAThread => (
                " and blocks a thread in Thread.Sleep between attempts of an async method",
                $"await Task.Delay with the cancellation token, or use {Strategy}"),
            _ => (
                string.Empty,
                $"use {Strategy}, with exponential backoff and jitter on transient failures"),
        };

    /// <summary>
    /// "'FetchAsync'": the one call the try block makes (by method name, or delegate name), leaving out what only
    /// accompanies it (<c>ConfigureAwait</c>, logging, string formatting); "its try block" when it makes several, none,
    /// or has code the compiler could not bind (the call it names could be the wrong one).
    /// </summary>
    internal static string Describe(RetryLoopShape shape)
    {
        var body = shape.Try.Body;
        if (body.OwnDescendants().Any(o => o is IInvalidOperation))
        {
            return "its try block";
        }

        var calls = body.OwnDescendants()
            .OfType<IInvocationOperation>()
            .Where(IsWork)
            .Take(2)
            .ToList();
        if (calls.Count != 1)
        {
            return "its try block";
        }

        var name = calls[0] switch
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
        };
        return name is null ? "its try block" : $"'{name}'";
    }

    /// <summary>A call that is the work of the attempt, not what goes with it.</summary>
    private static bool IsWork(IInvocationOperation call)
    {
        var method = call.TargetMethod;
        if (method.Name is "ConfigureAwait" or "GetAwaiter" or "GetResult" or "ToString" or "Equals" or "GetHashCode" or "GetType"
            || Logging.LooksLikeLogging(call))
        {
            return false;
        }

        var type = (method.ReducedFrom ?? method).ContainingType;
        return type is null
            || !(type.SpecialType is SpecialType.System_String or SpecialType.System_Object
                || (type.ContainingNamespace is { Name: "System", ContainingNamespace.IsGlobalNamespace: true }
                    && type.Name is "Math" or "Convert" or "String" or "TimeSpan" or "DateTime" or "DateTimeOffset" or "Guid"));
    }
}
