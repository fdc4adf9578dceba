using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Shapes;

/// <summary>Where a Polly v7 timeout sits relative to a retry policy it is wrapped with.</summary>
internal enum PollyV7Timeout
{
    /// <summary>No wrap with a timeout is seen, and the retry does not leave the method.</summary>
    None,

    /// <summary>A timeout is wrapped inside the retry (<c>Policy.WrapAsync(retry, timeout)</c>): each attempt is bounded.</summary>
    Inside,

    /// <summary>A timeout is wrapped only outside the retry (<c>Policy.WrapAsync(timeout, retry)</c>): it bounds the total.</summary>
    OutsideOnly,

    /// <summary>The retry is wrapped, stored or handed on where this helper cannot follow: a timeout may be added there.</summary>
    Unknown,
}

/// <summary>
/// Polly v7's <c>Policy</c> API (in the <c>Polly</c> package, beside Polly.Core's v8 pipelines): the builder chain
/// <c>Policy.Handle&lt;T&gt;().Or&lt;U&gt;()</c>, the retry it ends in (<c>Retry</c>, <c>RetryForever</c>,
/// <c>WaitAndRetry</c>, <c>WaitAndRetryForever</c> and their <c>Async</c> forms), the <c>Execute</c> calls of a policy,
/// and the wraps that put a <c>TimeoutPolicy</c> inside a retry. Shared by SLU304, SLU401, SLU403, SLU404 and SLU405, and
/// resolved once per compilation; null without the <c>Polly</c> package.
/// </summary>
internal sealed class PollyV7Policies
{
    private readonly KnownTypes _types;
    private readonly INamedTypeSymbol _policy;
    private readonly INamedTypeSymbol[] _retrySyntax;
    private readonly INamedTypeSymbol?[] _builders;
    private readonly INamedTypeSymbol? _isPolicy;
    private readonly INamedTypeSymbol? _retryPolicy;
    private readonly INamedTypeSymbol? _timeoutPolicy;

    private PollyV7Policies(KnownTypes types, INamedTypeSymbol policy)
    {
        _types = types;
        _policy = policy;
        _retrySyntax = new[] { types.PollyRetrySyntax, types.PollyAsyncRetrySyntax, types.PollyRetryTResultSyntax, types.PollyAsyncRetryTResultSyntax }
            .Where(t => t is not null).Select(t => t!).ToArray();
        _builders = new[] { policy, types.PollyGenericPolicy, types.PollyPolicyBuilder, types.PollyGenericPolicyBuilder };
        _isPolicy = types.PollyIsPolicy;
        _retryPolicy = types.PollyRetryPolicy;
        _timeoutPolicy = types.PollyTimeoutPolicy;
    }

    /// <summary>Null when the compilation does not reference Polly v7's <c>Policy</c>.</summary>
    public static PollyV7Policies? TryCreate(KnownTypes types)
        => types.PollyPolicy is { } policy && types.PollyRetrySyntax is not null ? new PollyV7Policies(types, policy) : null;

    /// <summary>
    /// A call that turns a builder into a retry policy: <c>Retry</c>, <c>RetryForever</c>, <c>WaitAndRetry</c>,
    /// <c>WaitAndRetryForever</c> or an <c>Async</c> form.
    /// </summary>
    public bool IsRetryCreation(IInvocationOperation call)
    {
        var method = call.TargetMethod.ReducedFrom ?? call.TargetMethod;
        return method.Name.Contains("Retry")
            && _retrySyntax.Any(t => SymbolEqualityComparer.Default.Equals(method.ContainingType, t));
    }

    /// <summary><c>RetryForever</c>, <c>WaitAndRetryForever</c> and their <c>Async</c> forms.</summary>
    public static bool IsForever(IInvocationOperation retry) => retry.TargetMethod.Name.Contains("Forever");

    /// <summary><c>WaitAndRetry</c> or <c>WaitAndRetryAsync</c> (bounded, with waits).</summary>
    public static bool IsWaitAndRetry(IInvocationOperation retry) => retry.TargetMethod.Name is "WaitAndRetry" or "WaitAndRetryAsync";

    /// <summary>
    /// "constant" or "linear" when a <c>WaitAndRetry</c>/<c>WaitAndRetryAsync</c> waits that way with no jitter: a list of
    /// durations written as constants (all equal, or — three or more — growing by the same step), or a duration provider
    /// lambda that returns <c>TimeSpan.FromX(...)</c> of something that ignores the attempt number, or is the attempt
    /// number times or plus a value that does not depend on it. Null for anything else (exponential growth, a call such as
    /// <c>Math.Pow</c> or a random source, durations read from elsewhere, no wait at all).
    /// </summary>
    public static string? ConstantOrLinearBackoff(IInvocationOperation retry)
    {
        if (!IsWaitAndRetry(retry))
        {
            return null;
        }

        foreach (var argument in retry.Arguments)
        {
            switch (argument.Parameter?.Name)
            {
                case "sleepDurations":
                    return Durations(LocalValues.Origin(argument.Value, retry.Root(), []));
                case "sleepDurationProvider":
                    return Provider(argument.Value);
            }
        }

        return null;
    }

    private static string? Durations(IOperation value)
    {
        var unwrapped = value.WalkDownConversion();
        IEnumerable<IOperation>? elements = unwrapped is IArrayCreationOperation { Initializer: { } initializer }
            ? initializer.ElementValues
            : CollectionExpressions.ElementsOf(unwrapped);
        if (elements is null)
        {
            return null;
        }

        var ticks = new List<double>();
        foreach (var element in elements)
        {
            if (ConstantTimeSpan(element.WalkDownConversion()) is not { } value1)
            {
                return null;
            }

            ticks.Add(value1);
        }

        if (ticks.Count == 0 || ticks.All(t => t == 0))
        {
            return null;
        }

        if (ticks.All(t => t == ticks[0]))
        {
            return "constant";
        }

        if (ticks.Count < 3)
        {
            return null;
        }

        var step = ticks[1] - ticks[0];
        var linear = step > 0;
        for (var i = 2; i < ticks.Count && linear; i++)
        {
            linear = ticks[i] - ticks[i - 1] == step;
        }

        return linear ? "linear" : null;
    }

    /// <summary>The length of <c>TimeSpan.FromX(constant)</c> in that unit times its scale, comparable across one list.</summary>
    private static double? ConstantTimeSpan(IOperation value)
    {
        if (value is not IInvocationOperation { TargetMethod: { ContainingType.Name: "TimeSpan", IsStatic: true } method, Arguments.Length: 1 } call
            || call.Arguments[0].Value.WalkDownConversion().ConstantValue is not { HasValue: true, Value: { } constant })
        {
            return null;
        }

        var scale = method.Name switch
        {
            "FromMilliseconds" => 1d,
            "FromSeconds" => 1_000d,
            "FromMinutes" => 60_000d,
            "FromHours" => 3_600_000d,
            _ => (double?)null,
        };
        return scale * System.Convert.ToDouble(constant, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string? Provider(IOperation value)
    {
        value = value.WalkDownConversion();
        if (value is IDelegateCreationOperation creation)
        {
            value = creation.Target;
        }

        if (value is not IAnonymousFunctionOperation { Symbol.Parameters: { Length: > 0 } parameters } function
            || ReturnedValue(function.Body) is not IInvocationOperation { TargetMethod: { ContainingType.Name: "TimeSpan", IsStatic: true } method, Arguments.Length: 1 } call
            || !method.Name.StartsWith("From", System.StringComparison.Ordinal))
        {
            return null;
        }

        var attempt = parameters[0];
        var amount = call.Arguments[0].Value.WalkDownConversion();
        if (!Mentions(amount, attempt))
        {
            return amount.DescendantsAndSelf().Any(o => o is IInvocationOperation or IObjectCreationOperation)
                || amount.ConstantValue is { HasValue: true, Value: 0 or 0d }
                ? null
                : "constant";
        }

        return IsLinearIn(amount, attempt) ? "linear" : null;
    }

    private static IOperation? ReturnedValue(IBlockOperation body)
        => body.Operations.Length == 1 && body.Operations[0] is IReturnOperation { ReturnedValue: { } returned } ? returned.WalkDownConversion() : null;

    /// <summary><c>n</c>, <c>k * n</c>, <c>n * k</c>, <c>n + k</c>, <c>k + n</c> (k not depending on n, no call in it).</summary>
    private static bool IsLinearIn(IOperation amount, IParameterSymbol attempt)
    {
        amount = amount.WalkDownConversion();
        if (amount is IParameterReferenceOperation reference)
        {
            return SymbolEqualityComparer.Default.Equals(reference.Parameter, attempt);
        }

        if (amount is IParenthesizedOperation parenthesized)
        {
            return IsLinearIn(parenthesized.Operand, attempt);
        }

        if (amount is not IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply or BinaryOperatorKind.Add } binary)
        {
            return false;
        }

        var (withAttempt, other) = Mentions(binary.LeftOperand, attempt) ? (binary.LeftOperand, binary.RightOperand) : (binary.RightOperand, binary.LeftOperand);
        return !Mentions(other, attempt)
            && !other.DescendantsAndSelf().Any(o => o is IInvocationOperation or IObjectCreationOperation)
            && IsLinearIn(withAttempt, attempt);
    }

    private static bool Mentions(IOperation operation, IParameterSymbol parameter)
        => operation.DescendantsAndSelf().OfType<IParameterReferenceOperation>().Any(r => SymbolEqualityComparer.Default.Equals(r.Parameter, parameter));

    /// <summary>
    /// A builder step that adds exceptions to handle: <c>Handle&lt;T&gt;</c>, <c>HandleInner&lt;T&gt;</c>,
    /// <c>Or&lt;T&gt;</c>, <c>OrInner&lt;T&gt;</c> on <c>Policy</c>, <c>Policy&lt;TResult&gt;</c> or a <c>PolicyBuilder</c>.
    /// </summary>
    public bool IsHandleStep(IInvocationOperation call)
        => call.TargetMethod is { Name: "Handle" or "HandleInner" or "Or" or "OrInner", TypeArguments.Length: 1 } method
            && _builders.Any(b => b is not null && SymbolEqualityComparer.Default.Equals(method.ContainingType.OriginalDefinition, b));

    /// <summary>A handle step with no predicate for <c>Exception</c> or <c>SystemException</c>: it handles every exception.</summary>
    public bool HandlesEverything(IInvocationOperation call)
        => IsHandleStep(call) && call.TargetMethod.Parameters.Length == 0 && _types.IsBroadException(call.TargetMethod.TypeArguments[0]);

    /// <summary>
    /// The retry creation the builder chain that <paramref name="step"/> is part of ends in, or null when it ends in
    /// another policy (a circuit breaker, a fallback) or is not finished here.
    /// </summary>
    public IInvocationOperation? RetryOfChain(IInvocationOperation step)
    {
        IOperation current = step;
        while (true)
        {
            var parent = current.Parent;
            while (parent is IConversionOperation)
            {
                current = parent;
                parent = parent.Parent;
            }

            switch (parent)
            {
                case IInvocationOperation instance when instance.Instance == current && IsHandleStep(instance):
                    current = instance;
                    continue;
                case IArgumentOperation { Parent: IInvocationOperation extension } argument
                    when extension.TargetMethod.IsExtensionMethod && extension.Arguments.FirstOrDefault() == argument:
                    return IsRetryCreation(extension) ? extension : null;
                default:
                    return null;
            }
        }
    }

    /// <summary>
    /// <c>Execute</c>, <c>ExecuteAsync</c>, <c>ExecuteAndCapture</c> or <c>ExecuteAndCaptureAsync</c> of a v7 policy.
    /// </summary>
    public bool IsExecute(IInvocationOperation call)
        => call.TargetMethod.Name is "Execute" or "ExecuteAsync" or "ExecuteAndCapture" or "ExecuteAndCaptureAsync"
            && Implements(call.TargetMethod.ContainingType, _isPolicy);

    /// <summary>
    /// True when the policy a call executes is a retry: its type is a v7 retry policy, or it is a local whose only value
    /// is a retry creation.
    /// </summary>
    public bool IsRetryPolicy(IOperation? policy)
    {
        if (policy is null)
        {
            return false;
        }

        if (Implements(policy.Type, _retryPolicy))
        {
            return true;
        }

        var origin = LocalValues.Origin(policy, policy.Root(), []);
        return origin is IInvocationOperation call && (IsRetryCreation(call) || Implements(call.Type, _retryPolicy));
    }

    /// <summary>A v7 policy type (anything implementing <c>IsPolicy</c>).</summary>
    public bool IsPolicy(ITypeSymbol? type) => Implements(type, _isPolicy);

    /// <summary>
    /// Where a timeout is wrapped around or inside the retry policy that <paramref name="retry"/> creates, judged in the
    /// member that creates it: the policy is used fluently or through a local, and every use of that local is an
    /// <c>Execute</c> call or a wrap this helper reads (<c>Policy.Wrap(outer, inner)</c>, <c>outer.Wrap(inner)</c>).
    /// </summary>
    public PollyV7Timeout TimeoutAround(IInvocationOperation retry, out IReadOnlyList<IInvocationOperation> executions)
    {
        var found = new List<IInvocationOperation>();
        executions = found;
        var value = Outermost(retry);
        switch (value.Parent)
        {
            case IInvocationOperation execute when execute.Instance == value && IsExecute(execute):
                found.Add(execute);
                return PollyV7Timeout.None;
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                return Uses(declarator.Symbol, retry, found);
            default:
                return PollyV7Timeout.Unknown;
        }
    }

    private PollyV7Timeout Uses(ILocalSymbol local, IOperation retry, List<IInvocationOperation> executions)
    {
        var result = PollyV7Timeout.None;
        foreach (var reference in retry.Root().Descendants().OfType<ILocalReferenceOperation>())
        {
            if (!SymbolEqualityComparer.Default.Equals(reference.Local, local) || reference.IsDeclaration)
            {
                continue;
            }

            var use = Outermost(reference);
            if (use.Parent is IInvocationOperation execute && execute.Instance == use && IsExecute(execute))
            {
                executions.Add(execute);
                continue;
            }

            switch (WrapPosition(use))
            {
                case PollyV7Timeout.Inside:
                    return PollyV7Timeout.Inside;
                case PollyV7Timeout.OutsideOnly:
                    result = PollyV7Timeout.OutsideOnly;
                    break;
                default:
                    return PollyV7Timeout.Unknown;
            }
        }

        return result;
    }

    /// <summary>
    /// For a use of the retry policy as an argument of a wrap: whether a timeout policy is wrapped inside it (after it, in
    /// Polly's outer-to-inner order) or only outside it. Unknown for any other use, or a wrap with no timeout in it.
    /// </summary>
    private PollyV7Timeout WrapPosition(IOperation use)
    {
        List<IOperation> policies;
        switch (use.Parent)
        {
            // retry.WrapAsync(timeout): the receiver is outermost.
            case IInvocationOperation { TargetMethod.Name: "Wrap" or "WrapAsync" } instance when instance.Instance == use:
                policies = new[] { use }.Concat(instance.Arguments.Select(a => a.Value)).ToList();
                break;

            // Policy.WrapAsync(retry, timeout), retry.WrapAsync(timeout) as an extension, or a params array of policies.
            case IArgumentOperation { Parent: IInvocationOperation { TargetMethod.Name: "Wrap" or "WrapAsync" } wrap }:
                policies = Flatten(wrap.Arguments.Select(a => a.Value));
                break;
            case IArrayInitializerOperation { Parent: IArrayCreationOperation { Parent: IArgumentOperation { Parent: IInvocationOperation { TargetMethod.Name: "Wrap" or "WrapAsync" } wrap } } }:
                policies = Flatten(wrap.Arguments.Select(a => a.Value));
                break;
            default:
                return PollyV7Timeout.Unknown;
        }

        var index = -1;
        for (var i = 0; i < policies.Count; i++)
        {
            if (policies[i] == use || policies[i].Syntax == use.Syntax)
            {
                index = i;
            }
        }

        if (index < 0)
        {
            return PollyV7Timeout.Unknown;
        }

        if (policies.Skip(index + 1).Any(IsTimeout))
        {
            return PollyV7Timeout.Inside;
        }

        return policies.Take(index).Any(IsTimeout) ? PollyV7Timeout.OutsideOnly : PollyV7Timeout.Unknown;
    }

    private static List<IOperation> Flatten(IEnumerable<IOperation> values)
    {
        var result = new List<IOperation>();
        foreach (var value in values)
        {
            var unwrapped = value.WalkDownConversion();
            if (unwrapped is IArrayCreationOperation { Initializer: { } initializer })
            {
                result.AddRange(initializer.ElementValues.Select(e => e.WalkDownConversion()));
            }
            else
            {
                result.Add(unwrapped);
            }
        }

        return result;
    }

    /// <summary>A timeout policy: by type, or a local whose value is one.</summary>
    private bool IsTimeout(IOperation policy)
    {
        policy = policy.WalkDownConversion();
        if (Implements(policy.Type, _timeoutPolicy))
        {
            return true;
        }

        var origin = LocalValues.Origin(policy, policy.Root(), []);
        return Implements(origin.Type, _timeoutPolicy)
            || origin is IInvocationOperation { TargetMethod.Name: "Timeout" or "TimeoutAsync" } call
                && SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType.OriginalDefinition, _policy);
    }

    private static IOperation Outermost(IOperation value)
    {
        while (value.Parent is IConversionOperation or IParenthesizedOperation)
        {
            value = value.Parent;
        }

        return value;
    }

    private static bool Implements(ITypeSymbol? type, INamedTypeSymbol? @interface)
        => type is not null && @interface is not null
            && (SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, @interface)
                || type.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, @interface)));
}
