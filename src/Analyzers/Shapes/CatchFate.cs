using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
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

    /// <summary>Only a detail is read (Message, HResult, Source, HelpLink, GetType); testing its type alone leaves it unused.</summary>
    DetailOnly,

    /// <summary>Kept: passed to a call, assigned, returned, interpolated (its ToString carries the stack trace).</summary>
    Observed,
}

/// <summary>
/// What a catch clause does with the exception it caught: whether it throws (or ends the process), how it uses the
/// exception object, which types it really handles (its filter may narrow a catch-all), whether it is part of a
/// cancellation the code itself requested, whether it logs, whether it keeps the failure somewhere the caller can see
/// — and from all that whether and why the failure is swallowed — plus the marks of a deliberate catch: cleanup, the
/// Try pattern, handling with code, a comment. SLU201 reports from <see cref="Swallow"/> and <see cref="SwallowStakes"/>;
/// SLU202 from <see cref="Logs"/>, <see cref="MovesToNextRecord"/>, <see cref="KeepsTheFailure"/> and
/// <see cref="HandlesTheRecord"/>. Facts are computed when first asked for.
/// </summary>
internal sealed class CatchFate
{
    /// <summary>Members that expose a detail of the exception but lose its type, stack trace and inner exceptions.</summary>
    private static readonly ImmutableHashSet<string> DetailOnlyMembers =
        ImmutableHashSet.Create("Message", "HResult", "Source", "HelpLink", "GetType");

    /// <summary>Calls that tear something down: a failure there has no data left to lose.</summary>
    private static readonly ImmutableHashSet<string> CleanupCalls = ImmutableHashSet.Create(
        "Dispose", "DisposeAsync", "Close", "CloseAsync", "Kill", "Rollback", "RollbackAsync", "Abort", "AbortAsync",
        "Cancel", "CancelAsync", "Stop", "StopAsync", "SendStop", "Release", "Set", "Reset", "Unregister", "Unsubscribe",
        "Interrupt", "ResetAbort", "WaitForExit", "Shutdown", "ShutdownAsync", "Detach", "DeleteFile", "DeleteDirectory",
        "TryDelete", "ReleaseMutex", "CancelPendingRequests");

    private readonly KnownTypes _types;
    private bool? _throws;
    private bool? _isTiedToCancellation;
    private bool? _isCleanup;
    private bool? _handlesWithCode;
    private bool? _failureBecomesFalse;
    private ExceptionUse? _exceptionUse;
    private SwallowKind? _swallow;
    private ImmutableArray<string>? _comments;

    private CatchFate(ICatchClauseOperation catchClause, CatchClauseSyntax syntax, KnownTypes types)
    {
        Catch = catchClause;
        Syntax = syntax;
        _types = types;
        CaughtType = syntax.Declaration is null ? null : catchClause.ExceptionType;
        CaughtTypes = NarrowedByFilter(catchClause) is { IsEmpty: false } narrowed
            ? narrowed
            : CaughtType is null ? ImmutableArray<ITypeSymbol>.Empty : ImmutableArray.Create(CaughtType);
        IsBroad = CaughtTypes.IsEmpty || CaughtTypes.Any(types.IsBroadException);
        IsEmpty = catchClause.Handler.Operations.IsEmpty;
    }

    /// <summary>The catch clause.</summary>
    public ICatchClauseOperation Catch { get; }

    /// <summary>Its syntax.</summary>
    public CatchClauseSyntax Syntax { get; }

    /// <summary>The declared exception type; null for a bare <c>catch</c>.</summary>
    public ITypeSymbol? CaughtType { get; }

    /// <summary>
    /// The types the catch handles: the declared type, or the types its filter tests for
    /// (<c>catch (Exception ex) when (ex is IOException || ex is TimeoutException)</c> handles IOException and
    /// TimeoutException); empty for a bare <c>catch</c>.
    /// </summary>
    public ImmutableArray<ITypeSymbol> CaughtTypes { get; }

    /// <summary>A bare <c>catch</c>, <c>catch (Exception)</c> or <c>catch (SystemException)</c> that no type filter narrows: it cannot know what it caught.</summary>
    public bool IsBroad { get; }

    /// <summary>The block has no statements.</summary>
    public bool IsEmpty { get; }

    /// <summary>The handler throws, or ends the process (Environment.Exit/FailFast): either way the failure is not silent.</summary>
    public bool Throws => _throws ??= ThrowsOrExits(Catch.Handler);

    /// <summary>
    /// The catch is part of stopping on request: a filter that checks a token (<c>when (token.IsCancellationRequested)</c>,
    /// <c>when (ex.CancellationToken == token)</c>); an OperationCanceledException catch around code that uses a
    /// CancellationToken, or in a method that cancels a CancellationTokenSource itself; or any catch around a try whose
    /// only wait is a delay or wait that receives a token (nothing but the cancellation can come out of it).
    /// </summary>
    public bool IsTiedToCancellation => _isTiedToCancellation ??=
        (Catch.Filter is { } filter && ChecksCancellation(filter))
        || (CatchesCancellation && (UsesCancellationToken() || CancelsInMethod()))
        || (IsBroad && OnlyWaitsForCancellation());

    /// <summary>The catch handles OperationCanceledException (or TaskCanceledException) by its declaration or its filter.</summary>
    public bool CatchesCancellation => CaughtTypes.Any(_types.IsCancellationException);

    /// <summary>
    /// Cleanup, where a failure has nothing left to lose: the catch is in a <c>finally</c> block, in a Dispose,
    /// DisposeAsync or finalizer, or in another catch's handler that rethrows (a rollback on the way out of a failure
    /// that is already propagating); or every call its try makes tears something down (Dispose, Close, Kill, Rollback,
    /// Cancel, Stop, Release, deleting a file or a directory...).
    /// </summary>
    public bool IsCleanup => _isCleanup ??= ReadIsCleanup();

    /// <summary>
    /// The catch does something about the failure with code: a call that is not logging or a pause (a compensating
    /// action, a fallback to the same operation elsewhere, adding an error to a result, counting the failure), a
    /// returned value computed from the inputs, or a counter it increments.
    /// </summary>
    public bool HandlesWithCode => _handlesWithCode ??= ReadHandlesWithCode();

    /// <summary>
    /// The Try or validation pattern: the method returns a bool, and the catch only sets constants (an out value, a
    /// flag) and returns one: the caller learns of the failure from the result.
    /// </summary>
    public bool FailureBecomesFalse => _failureBecomesFalse ??= ReadFailureBecomesFalse();

    /// <summary>How the catch uses its exception variable (its filter included).</summary>
    public ExceptionUse ExceptionUse => _exceptionUse ??= ReadExceptionUse();

    /// <summary>Why the failure is swallowed, or <see cref="SwallowKind.None"/> when it is not.</summary>
    public SwallowKind Swallow => _swallow ??= ReadSwallow();

    /// <summary>The comments inside the catch block, without their <c>//</c> or <c>/* */</c>, trimmed; empty ones left out.</summary>
    public ImmutableArray<string> Comments => _comments ??= Syntax.Block.DescendantTrivia(descendIntoTrivia: false)
        .Where(trivia => trivia.IsKind(SyntaxKind.SingleLineCommentTrivia) || trivia.IsKind(SyntaxKind.MultiLineCommentTrivia))
        .Select(CommentText)
        .Where(text => text.Length > 0)
        .ToImmutableArray();

    /// <summary>A comment in the catch marks it unfinished: TODO, FIXME, HACK or XXX.</summary>
    public bool IsMarkedUnfinished => Comments.Any(IsUnfinishedMarker);

    /// <summary>A comment that flags work left to do rather than explaining a decision.</summary>
    public static bool IsUnfinishedMarker(string comment)
        => comment.StartsWith("TODO", StringComparison.OrdinalIgnoreCase) || comment.StartsWith("FIXME", StringComparison.OrdinalIgnoreCase)
            || comment.StartsWith("HACK", StringComparison.OrdinalIgnoreCase) || comment.StartsWith("XXX", StringComparison.Ordinal)
            || comment.IndexOf("TODO:", StringComparison.OrdinalIgnoreCase) >= 0;

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

    /// <summary>The end of the handler is reachable: the code after the try runs next.</summary>
    public bool EndIsReachable
    {
        get
        {
            var body = Catch.Handler;
            if (body.Operations.IsEmpty)
            {
                return true;
            }

            var flow = Catch.SemanticModel?.AnalyzeControlFlow(body.Operations[0].Syntax, body.Operations[body.Operations.Length - 1].Syntax);
            return flow is not { Succeeded: true, EndPointIsReachable: false };
        }
    }

    /// <summary>
    /// The statements that run after the try when the handler's end is reached, up to the end of
    /// <paramref name="container"/> (a loop's or a method's body): those after the try in its block, then those after
    /// each enclosing statement in theirs.
    /// </summary>
    public IEnumerable<IOperation> StatementsAfter(IOperation container)
    {
        for (IOperation current = Catch.Parent!; current != container && current.Parent is { } parent; current = parent)
        {
            if (parent is IBlockOperation block)
            {
                foreach (var statement in block.Operations.Skip(block.Operations.IndexOf(current) + 1))
                {
                    yield return statement;
                }
            }
        }
    }

    /// <summary>
    /// The handler drops the current record of <paramref name="loop"/> and goes on with the next: it continues the loop,
    /// or its end is reachable and nothing after the try in the loop's body works on the record any more (what follows
    /// only logs, counts, or acknowledges the record to its source). A catch that falls through to more work on the
    /// same record has not dropped it.
    /// </summary>
    public bool MovesToNextRecord(ILoopOperation loop)
    {
        var body = Catch.Handler;
        if (body.Descendants().OfType<IBranchOperation>().Any(branch => branch.BranchKind == BranchKind.Continue && SymbolEqualityComparer.Default.Equals(branch.Target, loop.ContinueLabel)))
        {
            return true;
        }

        if (!GoesOn(loop))
        {
            return false;
        }

        return StatementsAfter(loop.Body).All(IsBookkeeping);
    }

    /// <summary>
    /// A statement after the try that does no more work on the record: logging, a counter, or acknowledging the record
    /// to its source (Commit, Ack, Complete, StoreOffset) — which confirms the drop rather than undoing it.
    /// </summary>
    internal static bool IsBookkeeping(IOperation statement)
    {
        if (statement is IEmptyOperation)
        {
            return true;
        }

        var expression = (statement as IExpressionStatementOperation)?.Operation.WalkDownConversion();
        if (expression is IAwaitOperation awaited)
        {
            expression = awaited.Operation.WalkDownConversion();
            if (expression is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } configured })
            {
                expression = configured.WalkDownConversion();
            }
        }

        return expression switch
        {
            IIncrementOrDecrementOperation or ICompoundAssignmentOperation => true,
            IInvocationOperation call => Logging.LooksLikeLogging(call)
                || call.TargetMethod.Name.StartsWith("Commit", StringComparison.Ordinal)
                || call.TargetMethod.Name.StartsWith("Ack", StringComparison.Ordinal)
                || call.TargetMethod.Name.StartsWith("BasicAck", StringComparison.Ordinal)
                || call.TargetMethod.Name.StartsWith("Complete", StringComparison.Ordinal)
                || call.TargetMethod.Name.StartsWith("StoreOffset", StringComparison.Ordinal),
            _ => false,
        };
    }

    /// <summary>
    /// The failure is kept somewhere other than a log: a call (not a logging one) receives both the record and the
    /// exception (a dead-letter sink, a failures list), or the exception goes into a collection the caller can see (a
    /// field, a property, a parameter, or a local the method returns).
    /// </summary>
    public bool KeepsTheFailure(ISymbol? record)
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

    /// <summary>
    /// The catch does something with the record besides logging it — hands it (or one of its members, such as its id)
    /// to a call that marks it failed, queues it, or collects it — or records the failure in state its owner sees (a
    /// counter, an error message on a result object).
    /// </summary>
    public bool HandlesTheRecord(ISymbol? record)
    {
        foreach (var operation in Catch.Handler.OwnDescendants())
        {
            switch (operation)
            {
                // Acknowledging the record to its source (Ack, Complete, Commit) confirms the drop rather than keeping it.
                case IInvocationOperation call when !Logging.LooksLikeLogging(call) && MessageHandler.SettlementOf(call, _types) != Settlement.Acknowledge:
                    // Refusing the message to its broker (nack, abandon, dead-letter, a publish elsewhere) keeps it.
                    if (MessageHandler.SettlementOf(call, _types) == Settlement.Refuse)
                    {
                        return true;
                    }

                    if (record is not null
                        && ((call.Instance is { } instance && instance.DescendantsAndSelf().Any(o => References(o, record)))
                            || call.Arguments.Any(a => a.Value.DescendantsAndSelf().Any(o => References(o, record)))))
                    {
                        return true;
                    }

                    break;
                case IIncrementOrDecrementOperation { Target: IFieldReferenceOperation or IPropertyReferenceOperation }:
                case ICompoundAssignmentOperation { Target: IFieldReferenceOperation or IPropertyReferenceOperation }:
                case ISimpleAssignmentOperation { Target: IFieldReferenceOperation or IPropertyReferenceOperation, Value: var value }
                    when value.WalkDownConversion() is not (IAnonymousFunctionOperation or IDelegateCreationOperation):
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

        if (CatchesCancellation)
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

    /// <summary>
    /// A filter that reads a token or source: <c>when (token.IsCancellationRequested)</c>, <c>when (ex.CancellationToken == token)</c>.
    /// </summary>
    private bool ChecksCancellation(IOperation filter)
        => filter.OwnDescendants().Any(operation =>
            (operation is IPropertyReferenceOperation { Property.Name: "IsCancellationRequested" } property
                && _types.IsCancellationTokenOrSource(property.Property.ContainingType))
            || (operation is IPropertyReferenceOperation or IFieldReferenceOperation or IParameterReferenceOperation or ILocalReferenceOperation
                && _types.IsCancellationToken(operation.Type)));

    /// <summary>
    /// True when the try block uses a live <see cref="System.Threading.CancellationToken"/>: passes one to a call (even
    /// one the compiler could not bind), or checks one; <c>CancellationToken.None</c> and <c>default</c> do not count.
    /// </summary>
    private bool UsesCancellationToken()
        => Catch.Parent is ITryOperation tryOperation
            && tryOperation.Body.OwnDescendants().Any(operation =>
                operation is IParameterReferenceOperation or ILocalReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation
                && _types.IsCancellationToken(operation.Type)
                && operation is not (IPropertyReferenceOperation { Property.Name: "None" } or IFieldReferenceOperation { Field.Name: "None" }));

    /// <summary>The method cancels a CancellationTokenSource itself (Cancel, CancelAsync, CancelAfter): it expects the cancellation it catches.</summary>
    private bool CancelsInMethod()
        => Catch.Root().Descendants().Any(operation =>
            operation is IInvocationOperation { TargetMethod.Name: "Cancel" or "CancelAsync" or "CancelAfter", Instance: { } source }
            && _types.IsCancellationTokenOrSource(source.Type));

    /// <summary>The try's only waiting is a delay or wait that receives a token: only the cancellation (or a disposed source) can come out.</summary>
    private bool OnlyWaitsForCancellation()
    {
        if (Catch.Parent is not ITryOperation tryOperation)
        {
            return false;
        }

        var waitsWithToken = false;
        foreach (var operation in tryOperation.Body.OwnDescendants())
        {
            if (operation is IAwaitOperation awaited)
            {
                var awaitedCall = awaited.Operation.WalkDownConversion();
                if (awaitedCall is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } configured })
                {
                    awaitedCall = configured.WalkDownConversion();
                }

                if (awaitedCall is not IInvocationOperation { TargetMethod.Name: "Delay" or "WaitAsync" or "WaitOneAsync" } wait
                    || !wait.Arguments.Any(a => _types.IsCancellationToken(a.Value.Type) && a.ArgumentKind != ArgumentKind.DefaultValue))
                {
                    return false;
                }

                waitsWithToken = true;
            }
        }

        return waitsWithToken;
    }

    /// <summary>The types a filter tests the caught exception for, when that is all it does (<c>ex is A || ex is B</c>, <c>ex is A or B</c>).</summary>
    private static ImmutableArray<ITypeSymbol> NarrowedByFilter(ICatchClauseOperation catchClause)
    {
        if (catchClause.Filter is not { } filter || catchClause.ExceptionDeclarationOrExpression is not IVariableDeclaratorOperation { Symbol: { } exception })
        {
            return ImmutableArray<ITypeSymbol>.Empty;
        }

        var builder = ImmutableArray.CreateBuilder<ITypeSymbol>();
        return Collect(filter.WalkDownConversion()) ? builder.ToImmutable() : ImmutableArray<ITypeSymbol>.Empty;

        bool Collect(IOperation test)
        {
            switch (test)
            {
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr } or:
                    return Collect(or.LeftOperand.WalkDownConversion()) && Collect(or.RightOperand.WalkDownConversion());
                case IIsTypeOperation { IsNegated: false, ValueOperand: ILocalReferenceOperation local } isType when SymbolEqualityComparer.Default.Equals(local.Local, exception):
                    builder.Add(isType.TypeOperand);
                    return true;
                case IIsPatternOperation { Value: ILocalReferenceOperation local } isPattern when SymbolEqualityComparer.Default.Equals(local.Local, exception):
                    return CollectPattern(isPattern.Pattern);
                default:
                    return false;
            }
        }

        bool CollectPattern(IPatternOperation pattern)
        {
            switch (pattern)
            {
                case IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.Or } or:
                    return CollectPattern(or.LeftPattern) && CollectPattern(or.RightPattern);
                case ITypePatternOperation typePattern:
                    builder.Add(typePattern.MatchedType);
                    return true;
                case IDeclarationPatternOperation { MatchedType: { } matched }:
                    builder.Add(matched);
                    return true;
                case IRecursivePatternOperation { MatchedType: { } recursive }:
                    builder.Add(recursive);
                    return true;
                default:
                    return false;
            }
        }
    }

    private bool ReadIsCleanup()
    {
        for (var current = Catch.Parent; current is not null and not (IAnonymousFunctionOperation or ILocalFunctionOperation); current = current.Parent)
        {
            if (current is ITryOperation { Finally: { } finallyBlock } && IsWithin(finallyBlock))
            {
                return true;
            }

            if (current is ICatchClauseOperation outer && ThrowsOrExits(outer.Handler))
            {
                return true;
            }
        }

        return (Catch.Parent is ITryOperation tryOperation && OnlyCleanupCalls(tryOperation.Body))
            || Catch.SemanticModel?.GetEnclosingSymbol(Syntax.SpanStart) is IMethodSymbol { Name: "Dispose" or "DisposeAsync" or "Finalize" } or IMethodSymbol { MethodKind: MethodKind.Destructor };
    }

    /// <summary>The block makes at least one call besides logging and pauses, and every such call is cleanup.</summary>
    private bool OnlyCleanupCalls(IOperation block)
    {
        var any = false;
        foreach (var operation in block.OwnDescendants())
        {
            if (operation is not IInvocationOperation call || Logging.LooksLikeLogging(call) || IsPause(call))
            {
                continue;
            }

            if (!IsCleanupCall(call))
            {
                return false;
            }

            any = true;
        }

        return any;
    }

    private bool IsWithin(IOperation block)
        => block.Syntax.Span.Contains(Syntax.Span);

    private bool IsCleanupCall(IInvocationOperation call)
    {
        var method = call.TargetMethod;
        if (CleanupCalls.Contains(method.Name))
        {
            return true;
        }

        // File.Delete, Directory.Delete, FileInfo.Delete: removing a file or folder.
        return method.Name == "Delete"
            && (SymbolEqualityComparer.Default.Equals(method.ContainingType, _types.File)
                || SymbolEqualityComparer.Default.Equals(method.ContainingType, _types.Directory)
                || method.ContainingType is { Name: "FileInfo" or "DirectoryInfo" or "FileSystemInfo" });
    }

    private bool IsPause(IInvocationOperation call) => _types.IsDelay(call.TargetMethod);

    private bool ReadHandlesWithCode()
    {
        foreach (var operation in Catch.Handler.OwnDescendants())
        {
            switch (operation)
            {
                case IExpressionStatementOperation { Operation: var expression }:
                    var call = expression.WalkDownConversion();
                    if (call is IAwaitOperation awaited)
                    {
                        call = awaited.Operation.WalkDownConversion();
                        if (call is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } configured })
                        {
                            call = configured.WalkDownConversion();
                        }
                    }

                    if (call is IInvocationOperation invocation && !Logging.LooksLikeLogging(invocation) && !IsPause(invocation))
                    {
                        return true;
                    }

                    var counted = call switch
                    {
                        IIncrementOrDecrementOperation increment => increment.Target,
                        ICompoundAssignmentOperation compound => compound.Target,
                        _ => null,
                    };
                    if (counted is not null && IsKeptCount(counted))
                    {
                        return true;
                    }

                    break;
                case IReturnOperation { ReturnedValue: { } returned } when ComputesFallback(returned):
                    return true;
            }
        }

        return false;
    }

    /// <summary>A counter the failure is added to that outlives the catch: a field, a property, or a local read outside the handler.</summary>
    private bool IsKeptCount(IOperation target)
        => target switch
        {
            IFieldReferenceOperation or IPropertyReferenceOperation => true,
            ILocalReferenceOperation local => Catch.Root().Descendants().OfType<ILocalReferenceOperation>()
                .Any(r => SymbolEqualityComparer.Default.Equals(r.Local, local.Local) && !Catch.Handler.Syntax.Span.Contains(r.Syntax.Span)),
            _ => false,
        };

    /// <summary>A returned value that another call computes from inputs (a fallback deserializer, a second source), not a made-up constant.</summary>
    private static bool ComputesFallback(IOperation returned)
        => returned.WalkDownConversion() is IInvocationOperation call
            && !IsFactoryOfEmpty(call)
            && call.Arguments.Any(a => a.ArgumentKind != ArgumentKind.DefaultValue && a.Value.WalkDownConversion() is not (ILiteralOperation or IDefaultValueOperation or ITypeOfOperation));

    /// <summary>A call that makes an empty or placeholder value: <c>Array.Empty&lt;T&gt;()</c>, <c>NotFound()</c>, <c>Activator.CreateInstance(type)</c>.</summary>
    internal static bool IsFactoryOfEmpty(IInvocationOperation call)
        => call.TargetMethod.Name is "Empty" or "CreateInstance" or "NotFound" or "NoContent" or "Default" or "None"
            || call.Arguments.All(a => a.ArgumentKind == ArgumentKind.DefaultValue || a.Value.WalkDownConversion() is ILiteralOperation or IDefaultValueOperation or ITypeOfOperation);

    private bool ReadFailureBecomesFalse()
    {
        var method = Catch.SemanticModel?.GetEnclosingSymbol(Syntax.SpanStart) as IMethodSymbol;
        var returnType = method?.ReturnType as INamedTypeSymbol;
        if (returnType is { IsGenericType: true, Name: "Task" or "ValueTask", TypeArguments.Length: 1 })
        {
            returnType = returnType.TypeArguments[0] as INamedTypeSymbol;
        }

        if (returnType?.SpecialType != SpecialType.System_Boolean)
        {
            return false;
        }

        // The catch only sets constants and returns one, or sets a flag the method then returns.
        ILocalSymbol? flag = null;
        var returnsConstant = false;
        foreach (var operation in Catch.Handler.OwnDescendants())
        {
            switch (operation)
            {
                case IInvocationOperation or IObjectCreationOperation or IAwaitOperation:
                    return false;
                case IReturnOperation { ReturnedValue: { } value }:
                    if (value.WalkDownConversion() is not (ILiteralOperation or IDefaultValueOperation))
                    {
                        return false;
                    }

                    returnsConstant = true;
                    break;
                case ISimpleAssignmentOperation { Target: ILocalReferenceOperation local, Value: var assigned }
                    when local.Type?.SpecialType == SpecialType.System_Boolean && assigned.WalkDownConversion() is ILiteralOperation:
                    flag = local.Local;
                    break;
            }
        }

        return returnsConstant
            || (flag is not null && Catch.Root().OwnDescendants().OfType<IReturnOperation>()
                .Any(r => r.ReturnedValue is { } value && value.DescendantsAndSelf().Any(v => References(v, flag))));
    }

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
            if (reference.Parent is IIsTypeOperation or IIsPatternOperation)
            {
                continue;
            }

            var readsDetail = reference.Parent switch
            {
                IPropertyReferenceOperation property => property.Instance == reference && DetailOnlyMembers.Contains(property.Property.Name),
                IInvocationOperation invocation => invocation.Instance == reference && DetailOnlyMembers.Contains(invocation.TargetMethod.Name),
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

    private static string CommentText(SyntaxTrivia trivia)
    {
        var text = trivia.ToString();
        text = trivia.IsKind(SyntaxKind.SingleLineCommentTrivia)
            ? text.Substring(2)
            : text.Substring(2, Math.Max(0, text.Length - 4));
        return text.Trim().TrimStart('/', '*').Trim();
    }

    private static bool References(IOperation operation, ISymbol symbol)
        => operation switch
        {
            ILocalReferenceOperation local => SymbolEqualityComparer.Default.Equals(local.Local, symbol),
            IParameterReferenceOperation parameter => SymbolEqualityComparer.Default.Equals(parameter.Parameter, symbol),
            _ => false,
        };

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
