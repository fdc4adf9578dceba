using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;

namespace Sluice.Analyzers.Reliability;

/// <summary>
/// SLU304: finds a Polly pipeline that adds a retry with no timeout after it. Polly nests strategies in the order they
/// are added (the first is outermost), so only an <c>AddTimeout</c> after <c>AddRetry</c> bounds each attempt; one
/// before it bounds the whole run, and a hung attempt still consumes it all. Polly v7 retry policies executed here with
/// I/O in their delegate and no <c>TimeoutPolicy</c> wrapped inside them are reported too.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RetryWithoutAttemptTimeoutAnalyzer : DiagnosticAnalyzer
{
    internal static readonly IntOption AttemptTimeoutSeconds = new(
        RuleIds.RetryWithoutAttemptTimeout, "attempt_timeout_seconds", defaultValue: 10, min: 1, max: 2_000_000,
        "The per-attempt timeout (seconds) the fix adds after the retry.");

    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.RetryWithoutAttemptTimeout,
        title: "Retry without a per-attempt timeout",
        messageFormat: "This retry has no timeout {0}, so one hung attempt stalls every retry{1}; {2}",
        RuleCategories.Reliability,
        DiagnosticSeverity.Warning,
        description: "A retry only helps if a failed attempt ends. Polly nests strategies in the order they are added, so a "
            + "timeout must be added after the retry to bound each attempt; a timeout added before it bounds only the total.");

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
            var v7 = PollyV7Policies.TryCreate(types);
            var deadlines = v7 is null ? null : Deadlines.TryCreate(types);
            var retryExtensions = types.RetryResiliencePipelineBuilderExtensions;
            var timeoutExtensions = types.TimeoutResiliencePipelineBuilderExtensions;
            var polly = retryExtensions is null || timeoutExtensions is null ? null : new PollyMethods(retryExtensions, timeoutExtensions);
            if (polly is null && deadlines is null)
            {
                return;
            }

            // One callback for both: every call this rule starts from (AddRetry; Polly v7's Retry, WaitAndRetry,
            // RetryForever...) has "Retry" in its name, which rules out nearly every invocation before any symbol work.
            start.RegisterOperationAction(
                c =>
                {
                    var call = (IInvocationOperation)c.Operation;
                    if (call.TargetMethod.Name.IndexOf("Retry", System.StringComparison.Ordinal) < 0)
                    {
                        return;
                    }

                    if (deadlines is not null)
                    {
                        AnalyzeV7Retry(c, v7!, deadlines);
                    }

                    if (polly is not null)
                    {
                        AnalyzeInvocation(c, polly);
                    }
                },
                OperationKind.Invocation);
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, PollyMethods polly)
    {
        var retry = (IInvocationOperation)context.Operation;
        if (!polly.IsAddRetry(retry.TargetMethod))
        {
            return;
        }

        // The fluent chain after the retry: .AddCircuitBreaker(...).AddTimeout(...).Build()
        IInvocationOperation top = retry;
        while (NextInChain(top) is { } next)
        {
            if (polly.IsAddTimeout(next.TargetMethod))
            {
                return;
            }

            top = next;
        }

        var endsInBuild = top.TargetMethod.Name == "Build";
        if (!endsInBuild)
        {
            // builder.AddRetry(...); builder.AddTimeout(...); — follow the builder variable through the method.
            var builder = BuilderVariable(retry, top);
            if (builder is null || HasTimeoutOrEscapesLater(builder, retry, polly))
            {
                return;
            }
        }

        var outerTimeout = PreviousInChain(retry).Any(previous => polly.IsAddTimeout(previous.TargetMethod))
            ? " (the timeout added before it bounds only the total time)"
            : "";
        var seconds = AttemptTimeoutSeconds.Read(context.Options, retry.Syntax.SyntaxTree);
        var properties = DiagnosticProperties.WithSeconds(seconds);
        context.ReportDiagnostic(Diagnostic.Create(Rule, retry.Syntax.GetLocation(), properties, "after it", outerTimeout, "add AddTimeout after AddRetry"));
    }

    /// <summary>
    /// Polly v7: a retry policy (<c>WaitAndRetryAsync</c>...) that this member executes, with a delegate that makes a
    /// network or database call, and that is not wrapped with a <c>TimeoutPolicy</c> inside it. A retry wrapped, stored or
    /// handed on where this rule cannot follow may get its timeout there, and stays silent; so does one whose executed
    /// delegates do no I/O this rule recognizes. No fix: the timeout must be wrapped inside the retry, which changes the
    /// policy's type (a <c>PolicyWrap</c>) for every caller.
    /// </summary>
    private static void AnalyzeV7Retry(OperationAnalysisContext context, PollyV7Policies v7, Deadlines deadlines)
    {
        var retry = (IInvocationOperation)context.Operation;
        if (!v7.IsRetryCreation(retry))
        {
            return;
        }

        var timeout = v7.TimeoutAround(retry, out var executions);
        if (timeout is PollyV7Timeout.Inside or PollyV7Timeout.Unknown
            || !executions.Any(execute => execute.Arguments.Any(argument => DoesIo(argument.Value, deadlines))))
        {
            return;
        }

        var outer = timeout == PollyV7Timeout.OutsideOnly ? " (the timeout wrapped outside it bounds only the total time)" : "";
        context.ReportDiagnostic(Diagnostic.Create(
            Rule, ReportLocations.MethodName(retry), "inside it", outer, "wrap a timeout inside it (Policy.WrapAsync(retry, Policy.TimeoutAsync(...)))"));
    }

    /// <summary>A delegate whose body makes a network or database call.</summary>
    private static bool DoesIo(IOperation value, Deadlines deadlines)
    {
        value = value.WalkDownConversion();
        if (value is IDelegateCreationOperation creation)
        {
            value = creation.Target;
        }

        return value is IAnonymousFunctionOperation function
            && function.Body.Descendants().OfType<IInvocationOperation>().Any(call => deadlines.IsNetworkOrDatabase(call.TargetMethod));
    }

    /// <summary>The call made on the result of <paramref name="call"/> (as receiver, or as an extension's this argument).</summary>
    private static IInvocationOperation? NextInChain(IInvocationOperation call)
    {
        var parent = call.Parent;
        if (parent is IArgumentOperation { Parent: IInvocationOperation extension } argument
            && extension.TargetMethod.IsExtensionMethod
            && extension.Arguments.FirstOrDefault() == argument)
        {
            return extension;
        }

        return parent is IInvocationOperation instance && instance.Instance == call ? instance : null;
    }

    /// <summary>The calls before <paramref name="call"/> in its chain, nearest first.</summary>
    private static System.Collections.Generic.IEnumerable<IInvocationOperation> PreviousInChain(IInvocationOperation call)
    {
        for (var receiver = Receiver(call); receiver is IInvocationOperation previous; receiver = Receiver(previous))
        {
            yield return previous;
        }
    }

    private static IOperation? Receiver(IInvocationOperation call)
        => (call.TargetMethod.IsExtensionMethod ? call.Arguments.FirstOrDefault()?.Value : call.Instance)?.WalkDownConversion();

    /// <summary>The local or parameter that holds the builder: the chain's receiver, or the variable the chain is stored in.</summary>
    private static ISymbol? BuilderVariable(IInvocationOperation retry, IInvocationOperation top)
    {
        var root = PreviousInChain(retry).LastOrDefault() is { } first ? Receiver(first) : Receiver(retry);
        switch (root)
        {
            case ILocalReferenceOperation local:
                return local.Local;
            case IParameterReferenceOperation parameter:
                return parameter.Parameter;
        }

        return top.Parent switch
        {
            IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } => declarator.Symbol,
            ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } => local.Local,
            _ => null,
        };
    }

    /// <summary>
    /// True when, after the retry, the method adds a timeout to the builder, or hands the builder to code this rule
    /// cannot see (another method, a field, a return, or back to the caller that passed it in): then the timeout
    /// may be added there.
    /// </summary>
    private static bool HasTimeoutOrEscapesLater(ISymbol builder, IInvocationOperation retry, PollyMethods polly)
    {
        var built = false;
        foreach (var reference in retry.Root().Descendants())
        {
            ISymbol? referenced = reference switch
            {
                ILocalReferenceOperation local => local.Local,
                IParameterReferenceOperation parameter => parameter.Parameter,
                _ => null,
            };
            if (!SymbolEqualityComparer.Default.Equals(referenced, builder) || reference.Syntax.SpanStart <= retry.Syntax.SpanStart)
            {
                continue;
            }

            var use = reference.Parent;
            if (use is IArgumentOperation { Parent: IInvocationOperation call } && call.TargetMethod.IsExtensionMethod)
            {
                if (polly.IsAddTimeout(call.TargetMethod))
                {
                    return true;
                }

                if (!PollyMethods.IsPollyBuilderMethod(call.TargetMethod))
                {
                    return true;
                }

                continue;
            }

            if (use is IInvocationOperation { Instance: { } } instanceCall && instanceCall.Instance == reference)
            {
                built |= instanceCall.TargetMethod.Name == "Build";
                continue;
            }

            if (use is IArgumentOperation or IReturnOperation or ISimpleAssignmentOperation or IAnonymousFunctionOperation)
            {
                return true;
            }
        }

        // A builder passed in belongs to the caller, who may add the timeout after this method returns,
        // unless this method builds it.
        return builder is IParameterSymbol && !built;
    }

    /// <summary>Polly's AddRetry and AddTimeout extension classes, resolved once per compilation.</summary>
    private sealed class PollyMethods(INamedTypeSymbol retryExtensions, INamedTypeSymbol timeoutExtensions)
    {
        public bool IsAddRetry(IMethodSymbol method)
            => method.Name == "AddRetry" && SymbolEqualityComparer.Default.Equals(method.ContainingType, retryExtensions);

        public bool IsAddTimeout(IMethodSymbol method)
            => method.Name == "AddTimeout" && SymbolEqualityComparer.Default.Equals(method.ContainingType, timeoutExtensions);

        /// <summary>Polly's own builder extensions (AddRetry, AddCircuitBreaker...) only add strategies.</summary>
        public static bool IsPollyBuilderMethod(IMethodSymbol method)
            => method.ContainingNamespace is { Name: "Polly", ContainingNamespace.IsGlobalNamespace: true };
    }
}
