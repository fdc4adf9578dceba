using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Shapes;

/// <summary>Why a catch loses its failure (see <see cref="CatchFate.Swallow"/>).</summary>
internal enum SwallowKind
{
    /// <summary>The catch keeps the failure: it rethrows, throws, ends the process, passes the exception on, handles a specific type with real code, or is part of a requested cancellation.</summary>
    None,

    /// <summary>The block is empty.</summary>
    Empty,

    /// <summary>The exception is never rethrown, logged with the exception object, or passed on.</summary>
    NotObserved,

    /// <summary>Only a detail of the exception is read (its Message, HResult...): type and stack trace are lost.</summary>
    MessageOnly,

    /// <summary>An OperationCanceledException caught where no token is passed: only a timeout can land here.</summary>
    CancellationWithoutToken,
}

/// <summary>How a catch uses its exception variable.</summary>
internal enum ExceptionUse
{
    /// <summary>Not at all (or there is no variable).</summary>
    Unused,

    /// <summary>Only a detail is read (Message, HResult, Source, HelpLink, GetType) or its type is tested.</summary>
    DetailOnly,

    /// <summary>Kept: passed to a call, assigned, returned, interpolated (its ToString carries the stack trace).</summary>
    Observed,
}

/// <summary>
/// What a catch clause does with the exception it caught: whether it throws (or ends the process), how it uses the
/// exception object, whether it is part of a cancellation the code itself requested, whether it logs, whether it keeps
/// the failure somewhere the caller can see, and — from all that — whether and why the failure is swallowed.
/// SLU201 reports from <see cref="Swallow"/>; SLU202 from <see cref="Logs"/>, <see cref="GoesOn"/> and
/// <see cref="KeepsTheFailure"/>. Facts are computed when first asked for.
/// </summary>
internal sealed class CatchFate
{
    /// <summary>Members that expose a detail of the exception but lose its type, stack trace and inner exceptions.</summary>
    private static readonly ImmutableHashSet<string> DetailOnlyMembers =
        ImmutableHashSet.Create("Message", "HResult", "Source", "HelpLink", "GetType");

    private readonly KnownTypes _types;
    private bool? _throws;
    private bool? _isTiedToCancellation;
    private ExceptionUse? _exceptionUse;
    private SwallowKind? _swallow;

    private CatchFate(ICatchClauseOperation catchClause, CatchClauseSyntax syntax, KnownTypes types)
    {
        Catch = catchClause;
        Syntax = syntax;
        _types = types;
        CaughtType = syntax.Declaration is null ? null : catchClause.ExceptionType;
        IsBroad = IsBroadCatch(catchClause, types);
        IsEmpty = catchClause.Handler.Operations.IsEmpty;
    }

    /// <summary>The catch clause.</summary>
    public ICatchClauseOperation Catch { get; }

    /// <summary>Its syntax.</summary>
    public CatchClauseSyntax Syntax { get; }

    /// <summary>The declared exception type; null for a bare <c>catch</c>.</summary>
    public ITypeSymbol? CaughtType { get; }

    /// <summary>A bare <c>catch</c>, <c>catch (Exception)</c> or <c>catch (SystemException)</c>: it cannot know what it caught.</summary>
    public bool IsBroad { get; }

    /// <summary>The block has no statements.</summary>
    public bool IsEmpty { get; }

    /// <summary>The handler throws, or ends the process (Environment.Exit/FailFast): either way the failure is not silent.</summary>
    public bool Throws => _throws ??= ThrowsOrExits(Catch.Handler);

    /// <summary>
    /// A filter such as <c>when (token.IsCancellationRequested)</c>, or (for an OperationCanceledException catch) a try
    /// block that hands a CancellationToken to some call: the catch is part of stopping on request.
    /// </summary>
    public bool IsTiedToCancellation => _isTiedToCancellation ??=
        (Catch.Filter is { } filter && ChecksCancellation(filter))
        || (Catch.ExceptionType is { } caught && _types.IsCancellationException(caught) && PassesCancellationToken());

    /// <summary>How the catch uses its exception variable (its filter included).</summary>
    public ExceptionUse ExceptionUse => _exceptionUse ??= ReadExceptionUse();

    /// <summary>Why the failure is swallowed, or <see cref="SwallowKind.None"/> when it is not.</summary>
    public SwallowKind Swallow => _swallow ??= ReadSwallow();

    /// <summary>The handler calls something that looks like logging (see <see cref="Logging.LooksLikeLogging"/>).</summary>
    public bool Logs => Catch.Handler.Descendants().OfType<IInvocationOperation>().Any(Logging.LooksLikeLogging);

    /// <summary>A bare <c>catch</c>, <c>catch (Exception)</c> or <c>catch (SystemException)</c>, with or without a variable.</summary>
    public static bool IsBroadCatch(ICatchClauseOperation catchClause, KnownTypes types)
        => catchClause.Syntax is CatchClauseSyntax { Declaration: null } || types.IsBroadException(catchClause.ExceptionType);

    /// <summary>The facts of a catch clause, or null for one with no catch syntax (nothing to report on).</summary>
    public static CatchFate? Of(ICatchClauseOperation catchClause, KnownTypes types)
        => catchClause.Syntax is CatchClauseSyntax syntax ? new CatchFate(catchClause, syntax, types) : null;

    /// <summary>The handler lets <paramref name="loop"/> go on: its end is reachable, or it continues that loop.</summary>
    public bool GoesOn(ILoopOperation loop)
    {
        var body = Catch.Handler;
        if (body.Operations.IsEmpty)
        {
            return true;
        }

        if (body.Descendants().OfType<IBranchOperation>().Any(branch => branch.BranchKind == BranchKind.Continue && SymbolEqualityComparer.Default.Equals(branch.Target, loop.ContinueLabel)))
        {
            return true;
        }

        var flow = Catch.SemanticModel?.AnalyzeControlFlow(body.Operations[0].Syntax, body.Operations[body.Operations.Length - 1].Syntax);
        return flow is not { Succeeded: true, EndPointIsReachable: false };
    }

    /// <summary>
    /// The failure is kept somewhere other than a log: a call (not a logging one) receives both the record and the
    /// exception (a dead-letter sink, a failures list), or the exception goes into a collection the caller can see (a
    /// field, a property, a parameter, or a local the method returns).
    /// </summary>
    public bool KeepsTheFailure(ILocalSymbol? record)
    {
        var exception = (Catch.ExceptionDeclarationOrExpression as IVariableDeclaratorOperation)?.Symbol;
        if (exception is null)
        {
            return false;
        }

        foreach (var call in Catch.Handler.Descendants().OfType<IInvocationOperation>().Where(c => !Logging.LooksLikeLogging(c)))
        {
            var arguments = call.Arguments.SelectMany(a => a.Value.DescendantsAndSelf()).ToList();
            if (!arguments.Any(a => References(a, exception)))
            {
                continue;
            }

            if (record is not null && arguments.Any(a => References(a, record)))
            {
                return true;
            }

            if (call.Instance?.WalkDownConversion() is { } receiver && IsVisibleToCaller(receiver))
            {
                return true;
            }
        }

        return false;
    }

    private SwallowKind ReadSwallow()
    {
        // A specific exception type handled with real code (a fallback value, a default) is a decision, not a swallow.
        if (!IsBroad && !IsEmpty)
        {
            return SwallowKind.None;
        }

        if (IsTiedToCancellation)
        {
            return SwallowKind.None;
        }

        if (CaughtType is not null && _types.IsCancellationException(CaughtType))
        {
            // With no token anywhere, only a timeout can land here.
            return SwallowKind.CancellationWithoutToken;
        }

        if (ExceptionUse == ExceptionUse.Observed || Throws)
        {
            return SwallowKind.None;
        }

        return IsEmpty ? SwallowKind.Empty : ExceptionUse == ExceptionUse.DetailOnly ? SwallowKind.MessageOnly : SwallowKind.NotObserved;
    }

    private static bool ThrowsOrExits(IOperation handler)
        => handler.OwnDescendants().Any(operation => operation switch
        {
            IThrowOperation => true,
            IInvocationOperation { TargetMethod: { Name: "Exit" or "FailFast", ContainingType: { Name: "Environment", ContainingNamespace.Name: "System" } } } => true,
            _ => false,
        });

    /// <summary>A filter such as <c>when (token.IsCancellationRequested)</c> ties the catch to a requested cancellation.</summary>
    private bool ChecksCancellation(IOperation filter)
        => filter.OwnDescendants().Any(operation =>
            operation is IPropertyReferenceOperation { Property.Name: "IsCancellationRequested" } property
            && _types.IsCancellationTokenOrSource(property.Property.ContainingType));

    /// <summary>True when the try block hands a <see cref="System.Threading.CancellationToken"/> to some call.</summary>
    private bool PassesCancellationToken()
        => Catch.Parent is ITryOperation tryOperation
            && tryOperation.Body.OwnDescendants().Any(operation =>
                operation is IArgumentOperation argument && _types.IsCancellationToken(argument.Value.Type));

    /// <summary>
    /// Any use of the exception variable other than reading a detail (Message, HResult...) counts as observing it:
    /// passed to a call, assigned, returned, interpolated (its ToString carries the stack trace). Lambdas count too.
    /// </summary>
    private ExceptionUse ReadExceptionUse()
    {
        if (Catch.ExceptionDeclarationOrExpression is not IVariableDeclaratorOperation { Symbol: { } local })
        {
            return ExceptionUse.Unused;
        }

        var use = ExceptionUse.Unused;
        var scopes = Catch.Filter is null ? new[] { Catch.Handler } : new[] { Catch.Filter, Catch.Handler };
        foreach (var reference in scopes.SelectMany(scope => scope.OwnDescendants()).OfType<ILocalReferenceOperation>())
        {
            if (!SymbolEqualityComparer.Default.Equals(reference.Local, local))
            {
                continue;
            }

            // Testing its type (ex is HttpRequestException) or reading a detail decides something, but keeps nothing.
            var readsDetail = reference.Parent switch
            {
                IPropertyReferenceOperation property => property.Instance == reference && DetailOnlyMembers.Contains(property.Property.Name),
                IInvocationOperation invocation => invocation.Instance == reference && DetailOnlyMembers.Contains(invocation.TargetMethod.Name),
                IIsTypeOperation or IIsPatternOperation => true,
                _ => false,
            };
            if (!readsDetail)
            {
                return ExceptionUse.Observed;
            }

            use = ExceptionUse.DetailOnly;
        }

        return use;
    }

    private static bool References(IOperation operation, ISymbol symbol)
        => operation is ILocalReferenceOperation local && SymbolEqualityComparer.Default.Equals(local.Local, symbol);

    private bool IsVisibleToCaller(IOperation receiver)
    {
        switch (receiver)
        {
            case IFieldReferenceOperation or IPropertyReferenceOperation or IParameterReferenceOperation:
                return true;
            case ILocalReferenceOperation local:
                return Catch.Root().Descendants().OfType<IReturnOperation>()
                    .Any(r => r.ReturnedValue is { } value && value.DescendantsAndSelf().Any(v => References(v, local.Local)));
            default:
                return false;
        }
    }
}
