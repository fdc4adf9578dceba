using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Shapes;

/// <summary>The statement a hand-rolled retry loop is written with.</summary>
internal enum RetryLoopKind
{
    /// <summary><c>for (...; ...; ...)</c>.</summary>
    For,

    /// <summary><c>while (...)</c>.</summary>
    While,

    /// <summary><c>do { ... } while (...);</c>.</summary>
    DoWhile,
}

/// <summary>What happens when the last allowed attempt fails.</summary>
internal enum RetryExhaustion
{
    /// <summary>Not known: no attempt limit, or one this helper cannot evaluate.</summary>
    Unknown,

    /// <summary>The last failure propagates unchanged: a <c>when</c> filter turns false, or the catch runs <c>throw;</c>.</summary>
    Rethrow,

    /// <summary>The catch (or the code after the try) throws an exception of its own.</summary>
    Throw,

    /// <summary>The loop condition turns false and the code after the loop runs, with the failure swallowed.</summary>
    FallOut,
}

/// <summary>Where an attempt counter is compared to its limit.</summary>
internal enum RetryLimitSite
{
    /// <summary>The loop's condition: <c>for (...; attempt &lt;= 3; ...)</c>, <c>while (attempt &lt; max)</c>.</summary>
    LoopCondition,

    /// <summary>A catch filter: <c>catch (IOException) when (attempt &lt; 3)</c>.</summary>
    CatchFilter,

    /// <summary>A throw guarded by the counter: <c>if (attempt == 3) throw;</c>.</summary>
    GuardedThrow,
}

/// <summary>One comparison of the attempt counter with its limit.</summary>
internal sealed class RetryLimitCheck
{
    internal RetryLimitCheck(IBinaryOperation comparison, RetryLimitSite site)
    {
        Comparison = comparison;
        Site = site;
    }

    /// <summary>The comparison, e.g. <c>attempt &lt; 3</c>.</summary>
    public IBinaryOperation Comparison { get; }

    /// <summary>Where the comparison is.</summary>
    public RetryLimitSite Site { get; }

    /// <summary>The attempts in total (the first included) this check alone allows, when it can be computed.</summary>
    public int? Attempts { get; internal set; }

    /// <summary>What the loop does when this check stops it.</summary>
    public RetryExhaustion OnLimit { get; internal set; }
}

/// <summary>A known log call among a retry loop's bookkeeping (see <see cref="RetryLoopShape.LogStatements"/>).</summary>
internal sealed class RetryLogStatement
{
    internal RetryLogStatement(IOperation statement, bool runsAfterFailure, int incrementsBefore)
    {
        Statement = statement;
        RunsAfterFailure = runsAfterFailure;
        IncrementsBefore = incrementsBefore;
    }

    /// <summary>The statement (an expression statement whose expression is the log call, possibly awaited).</summary>
    public IOperation Statement { get; }

    /// <summary>
    /// True when it runs only after a failed attempt: in a retrying catch, or after the try in the loop's body (a
    /// successful attempt leaves the loop). False before the try, where it runs before every attempt.
    /// </summary>
    public bool RunsAfterFailure { get; }

    /// <summary>
    /// The attempt counter's value where the statement runs, minus the 1-based number of the attempt that failed:
    /// 0 for <c>for (var attempt = 1; ...; attempt++)</c>, -1 for <c>for (var i = 0; ...; i++)</c>. Null when the
    /// counter's value there is not known.
    /// </summary>
    public int? CounterOffset { get; internal set; }

    internal int IncrementsBefore { get; }
}

/// <summary>
/// A loop recognized by <see cref="RetryLoops.TryMatch"/>: a <c>for</c>, <c>while</c> or <c>do</c> loop whose body has a
/// try statement that leaves the loop on success (return or break) and a catch that lets the loop run the try again,
/// with a delay (<c>Thread.Sleep</c>, <c>Task.Delay</c>) or an attempt counter compared to a limit as evidence that
/// the repetition is a retry.
/// </summary>
internal sealed class RetryLoopShape
{
    internal RetryLoopShape(
        ILoopOperation loop,
        RetryLoopKind kind,
        IOperation body,
        ITryOperation @try,
        ImmutableArray<ICatchClauseOperation> retryingCatches,
        ImmutableArray<IOperation> successExits,
        ImmutableArray<IInvocationOperation> delays,
        ILocalSymbol? attemptCounter,
        ImmutableArray<RetryLimitCheck> limitChecks,
        ImmutableArray<IOperation> counterIncrements,
        ImmutableArray<IOperation> otherStatements,
        ImmutableArray<RetryLogStatement> logStatements,
        int? maxAttempts,
        RetryExhaustion exhaustion,
        bool isUnbounded,
        ImmutableArray<ICatchClauseOperation> catchAllClauses)
    {
        Loop = loop;
        Kind = kind;
        Body = body;
        Try = @try;
        RetryingCatches = retryingCatches;
        SuccessExits = successExits;
        Delays = delays;
        AttemptCounter = attemptCounter;
        LimitChecks = limitChecks;
        CounterIncrements = counterIncrements;
        OtherStatements = otherStatements;
        LogStatements = logStatements;
        MaxAttempts = maxAttempts;
        Exhaustion = exhaustion;
        IsUnbounded = isUnbounded;
        CatchAllClauses = catchAllClauses;
    }

    /// <summary>The loop.</summary>
    public ILoopOperation Loop { get; }

    /// <summary>Whether it is a <c>for</c>, <c>while</c> or <c>do</c> loop.</summary>
    public RetryLoopKind Kind { get; }

    /// <summary>The loop's body: a block, or the try statement itself (<c>while (...) try { ... } catch { ... }</c>).</summary>
    public IOperation Body { get; }

    /// <summary>The try statement the loop repeats (a direct statement of <see cref="Body"/>).</summary>
    public ITryOperation Try { get; }

    /// <summary>The catches whose end is reachable (or that <c>continue</c>): a failure they catch leads to another attempt.</summary>
    public ImmutableArray<ICatchClauseOperation> RetryingCatches { get; }

    /// <summary>
    /// How a successful attempt leaves: the returns and the breaks out of this loop inside the try body, or — for a loop
    /// that ends on a success flag (<c>while (!done &amp;&amp; attempt &lt; 3) { try { ...; done = true; } ... }</c>) — the
    /// assignments of the flag in the try body. A reconnect loop (<c>while (!client.IsConnected)</c>) has none: the
    /// connection's state ends it.
    /// </summary>
    public ImmutableArray<IOperation> SuccessExits { get; }

    /// <summary>The <c>Thread.Sleep</c> / <c>Task.Delay</c> calls in the retrying catches or after the try in the body.</summary>
    public ImmutableArray<IInvocationOperation> Delays { get; }

    /// <summary>The local counting attempts, if any: incremented once per attempt and compared to a limit.</summary>
    public ILocalSymbol? AttemptCounter { get; }

    /// <summary>The comparisons of <see cref="AttemptCounter"/> with its limit (empty when there is no counter).</summary>
    public ImmutableArray<RetryLimitCheck> LimitChecks { get; }

    /// <summary>The operations that increment <see cref="AttemptCounter"/> inside the loop (statements or operands).</summary>
    public ImmutableArray<IOperation> CounterIncrements { get; }

    /// <summary>
    /// The statements of the retrying catches and of the body outside the try that are not retry bookkeeping (a delay, a
    /// log call, a counter increment, a counter-guarded throw): what a rewrite into a retry helper would have to keep.
    /// </summary>
    public ImmutableArray<IOperation> OtherStatements { get; }

    /// <summary>
    /// The known log calls (<see cref="Logging.IsKnownLogCall"/>) among the statements of the retrying catches and of the
    /// body outside the try, in the order they run: what a rewrite may hand to a retry hook.
    /// </summary>
    public ImmutableArray<RetryLogStatement> LogStatements { get; }

    /// <summary>
    /// The attempts in total, the first included, when every limit is a constant and the counter starts at a constant:
    /// <c>for (var attempt = 1; attempt &lt;= 3; attempt++)</c> and <c>for (var i = 0; i &lt; 3; i++)</c> make 3;
    /// <c>catch when (attempt++ &lt; 3)</c> with the counter starting at 0 makes 4 (the filter sees 0, 1, 2 and retries,
    /// then sees 3 and lets the fourth failure through). Null when unknown or unbounded.
    /// </summary>
    public int? MaxAttempts { get; }

    /// <summary>What happens after the last allowed attempt fails (from the check that stops the loop first).</summary>
    public RetryExhaustion Exhaustion { get; }

    /// <summary>
    /// True for <c>while (true)</c>, <c>for (;;)</c> or <c>do ... while (true)</c> with no attempt limit and no way for a
    /// failed attempt to leave the loop (no throw, break, return or goto in the retrying catches or after the try).
    /// </summary>
    public bool IsUnbounded { get; }

    /// <summary>
    /// The retrying catches that are a catch-all, <c>catch (Exception)</c> or <c>catch (SystemException)</c> whose filter,
    /// if any, looks only at the attempt counter: permanent failures are retried too.
    /// </summary>
    public ImmutableArray<ICatchClauseOperation> CatchAllClauses { get; }
}

/// <summary>
/// Recognizes hand-rolled retry loops. Shared by SLU402 (the loop itself), SLU403 (a loop that retries every exception),
/// SLU405 (a loop with no attempt limit) and SLU401 (a write inside such a loop).
/// </summary>
/// <remarks>
/// Precision first: a <c>foreach</c> is never a retry loop (it advances over a collection); a loop whose try uses the
/// counter as an index moves on to other work; a loop already calling a Polly pipeline or <c>SluiceResilience</c> is
/// not hand-rolled; a catch that always rethrows does not retry; a try with no return or break does not stop on success.
/// </remarks>
internal static class RetryLoops
{
    /// <summary>
    /// Matches <paramref name="loop"/> against the hand-rolled retry shape. Cheap for the loops that are not: it looks for
    /// a try statement among the body's statements before anything else.
    /// </summary>
    /// <param name="loop">Any loop operation; <c>foreach</c> never matches.</param>
    /// <param name="types">The compilation's types.</param>
    /// <param name="shape">The recognized shape, or null.</param>
    /// <returns>True when the loop is a hand-rolled retry.</returns>
    public static bool TryMatch(ILoopOperation loop, KnownTypes types, out RetryLoopShape? shape)
    {
        shape = null;
        RetryLoopKind kind;
        IOperation? condition;
        var bottom = ImmutableArray<IOperation>.Empty;
        switch (loop)
        {
            case IForLoopOperation forLoop:
                kind = RetryLoopKind.For;
                condition = forLoop.Condition;
                bottom = forLoop.AtLoopBottom;
                break;
            case IWhileLoopOperation { ConditionIsUntil: false } whileLoop:
                kind = whileLoop.ConditionIsTop ? RetryLoopKind.While : RetryLoopKind.DoWhile;
                condition = whileLoop.Condition;
                break;
            default:
                return false;
        }

        // C# requires braces around a try block and its catch blocks, but not around the loop's body: a loop whose body is
        // the try statement alone is the same retry as one whose block holds only the try.
        ImmutableArray<IOperation> statements;
        switch (loop.Body)
        {
            case IBlockOperation block:
                statements = block.Operations;
                break;
            case ITryOperation lone:
                statements = ImmutableArray.Create<IOperation>(lone);
                break;
            default:
                return false;
        }

        var body = loop.Body;
        ITryOperation? @try = null;
        var tryIndex = -1;
        for (var i = 0; i < statements.Length; i++)
        {
            if (statements[i] is ITryOperation candidate)
            {
                if (@try is not null)
                {
                    return false;
                }

                @try = candidate;
                tryIndex = i;
            }
        }

        if (@try is null || @try.Catches.IsEmpty || loop.SemanticModel is not { } model)
        {
            return false;
        }

        var successExits = SuccessExits(@try.Body, loop);
        var endsOnCondition = false;
        if (successExits.IsEmpty)
        {
            successExits = SuccessFlagAssignments(@try.Body, condition);
            endsOnCondition = !successExits.IsEmpty || IsReconnectLoop(@try.Body, condition, types);
        }

        if ((successExits.IsEmpty && !endsOnCondition) || UsesResilienceLibrary(loop, types))
        {
            return false;
        }

        var afterTry = statements.Skip(tryIndex + 1).ToImmutableArray();
        var beforeTry = statements.Take(tryIndex).ToImmutableArray();
        if (!afterTry.IsEmpty && !CanContinue(model, afterTry, loop))
        {
            return false;
        }

        var retrying = @try.Catches.Where(c => CanContinue(model, c, loop)).ToImmutableArray();
        if (retrying.IsEmpty)
        {
            return false;
        }

        var counter = FindCounter(loop, condition, bottom, beforeTry, retrying, afterTry);
        if (counter is not null && UsedAsIndex(@try.Body, counter))
        {
            return false;
        }

        var analysis = new CounterAnalysis(types, counter, loop);
        analysis.Run(kind, condition, bottom, beforeTry, retrying, afterTry);

        if (analysis.Delays.Count == 0 && analysis.Checks.Count == 0)
        {
            return false;
        }

        var (maxAttempts, exhaustion) = analysis.Evaluate();
        // A loop that ends on success alone — always true, or only the success flag or connection state — never gives up.
        var isUnbounded = analysis.Checks.Count == 0
            && (IsAlwaysTrue(condition) || (endsOnCondition && analysis.Delays.Count > 0))
            && !retrying.Any(c => CanLeave(c.Handler, loop))
            && !afterTry.Any(o => CanLeave(o, loop));
        var countedBy = analysis.Checks.Count == 0 ? null : counter;
        var catchAll = retrying.Where(c => CatchFate.IsBroadCatch(c, types)
            && (c.Filter is null || !MentionsAnythingBut(c.Filter, countedBy) || OnlyComparesCounter(c, countedBy))).ToImmutableArray();

        shape = new RetryLoopShape(
            loop, kind, body, @try, retrying, successExits, analysis.Delays.ToImmutableArray(), countedBy,
            analysis.Checks.ToImmutableArray(), analysis.Increments.ToImmutableArray(), analysis.Others.ToImmutableArray(),
            analysis.Logs.ToImmutableArray(), maxAttempts, exhaustion, isUnbounded, catchAll);
        return true;
    }

    /// <summary>True when <paramref name="operation"/> reads or writes <paramref name="local"/> anywhere inside it.</summary>
    internal static bool References(IOperation operation, ILocalSymbol local)
        => operation.DescendantsAndSelf().OfType<ILocalReferenceOperation>().Any(r => SymbolEqualityComparer.Default.Equals(r.Local, local));

    private static ImmutableArray<IOperation> SuccessExits(IOperation tryBody, ILoopOperation loop)
        => tryBody.OwnDescendants()
            .Where(o => o is IReturnOperation { Kind: OperationKind.Return }
                || (o is IBranchOperation { BranchKind: BranchKind.Break } branch && SymbolEqualityComparer.Default.Equals(branch.Target, loop.ExitLabel)))
            .OrderBy(o => o.Syntax.SpanStart)
            .ToImmutableArray();

    /// <summary>
    /// The assignments in the try body of a success flag the loop's condition tests: <c>done = true</c> where the condition
    /// is (or has the <c>&amp;&amp;</c> part) <c>!done</c> or <c>done == false</c>, or <c>failed = false</c> against
    /// <c>failed</c>. The flag is a local or a field.
    /// </summary>
    private static ImmutableArray<IOperation> SuccessFlagAssignments(IOperation tryBody, IOperation? condition)
    {
        if (condition is null)
        {
            return ImmutableArray<IOperation>.Empty;
        }

        var flags = new List<(ISymbol Flag, bool EndsWhen)>();
        foreach (var part in Conjuncts(condition))
        {
            if (FlagTest(part) is { } test)
            {
                flags.Add(test);
            }
        }

        if (flags.Count == 0)
        {
            return ImmutableArray<IOperation>.Empty;
        }

        return tryBody.OwnDescendants()
            .Where(o => o is ISimpleAssignmentOperation { Value.ConstantValue: { HasValue: true, Value: bool value } } assignment
                && LocalValues.ReferencedSymbol(assignment.Target) is { } target
                && assignment.Target is ILocalReferenceOperation or IFieldReferenceOperation
                && flags.Any(f => SymbolEqualityComparer.Default.Equals(f.Flag, target) && f.EndsWhen == value))
            .OrderBy(o => o.Syntax.SpanStart)
            .ToImmutableArray();
    }

    private static IEnumerable<IOperation> Conjuncts(IOperation condition)
    {
        condition = condition.WalkDownConversion();
        if (condition is IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } and)
        {
            return Conjuncts(and.LeftOperand).Concat(Conjuncts(and.RightOperand));
        }

        return condition is IParenthesizedOperation parenthesized ? Conjuncts(parenthesized.Operand) : new[] { condition };
    }

    /// <summary>
    /// <c>!flag</c> / <c>flag == false</c> (the loop ends when the flag is true) or <c>flag</c> / <c>flag == true</c> (it
    /// ends when the flag is false), for a bool local or field.
    /// </summary>
    private static (ISymbol Flag, bool EndsWhen)? FlagTest(IOperation part)
    {
        part = part.WalkDownConversion();
        var negated = false;
        if (part is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not)
        {
            negated = true;
            part = not.Operand.WalkDownConversion();
        }
        else if (part is IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } comparison
            && comparison.RightOperand.ConstantValue is { HasValue: true, Value: bool constant })
        {
            negated = (comparison.OperatorKind == BinaryOperatorKind.Equals) != constant;
            part = comparison.LeftOperand.WalkDownConversion();
        }

        return part is ILocalReferenceOperation or IFieldReferenceOperation
            && part.Type?.SpecialType == SpecialType.System_Boolean
            && LocalValues.ReferencedSymbol(part) is { } flag
                ? (flag, negated)
                : null;
    }

    /// <summary>
    /// A reconnect loop: the condition waits for a connection — <c>!client.IsConnected</c>, <c>!connection.IsOpen</c>,
    /// <c>!Connected</c>, <c>connection.State != ConnectionState.Open</c> — and the try body connects or opens
    /// (<c>Connect</c>, <c>ConnectAsync</c>, <c>Open</c>, <c>OpenAsync</c>, <c>Reconnect</c>...). The names are the evidence:
    /// a loop on any other state (a queue that is not completed, a token not cancelled) is a worker loop, not a retry.
    /// </summary>
    private static bool IsReconnectLoop(IOperation tryBody, IOperation? condition, KnownTypes types)
    {
        if (condition is null
            || !Conjuncts(condition).Any(part => WaitsForConnection(part, types))
            || !tryBody.OwnDescendants().Any(o => o is IInvocationOperation { TargetMethod.Name: var name } && IsConnectName(name)))
        {
            return false;
        }

        return true;
    }

    private static bool WaitsForConnection(IOperation part, KnownTypes types)
    {
        part = part.WalkDownConversion();
        if (part is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not)
        {
            var state = not.Operand.WalkDownConversion();
            var name = state switch
            {
                IPropertyReferenceOperation property => property.Property.Name,
                IFieldReferenceOperation field => field.Field.Name,
                IInvocationOperation call => call.TargetMethod.Name,
                _ => null,
            };
            return name is "IsConnected" or "Connected" or "IsOpen"
                && !types.IsCancellationTokenOrSource(state.Type);
        }

        // connection.State != ConnectionState.Open
        return part is IBinaryOperation { OperatorKind: BinaryOperatorKind.NotEquals } comparison
            && comparison.LeftOperand.WalkDownConversion() is IPropertyReferenceOperation { Property.Name: "State" }
            && comparison.RightOperand.WalkDownConversion() is IFieldReferenceOperation { Field.Name: "Open" };
    }

    private static bool IsConnectName(string name)
        => name.StartsWith("Connect", System.StringComparison.Ordinal)
            || name.StartsWith("Reconnect", System.StringComparison.Ordinal)
            || name.StartsWith("TryConnect", System.StringComparison.Ordinal)
            || name is "Open" or "OpenAsync";

    private static bool UsesResilienceLibrary(ILoopOperation loop, KnownTypes types)
        => (types.ResiliencePipeline is not null || types.SluiceResilience is not null || types.PollyIsPolicy is not null)
            && loop.Body.Descendants().OfType<IInvocationOperation>().Any(i => types.IsResilienceCall(i.TargetMethod));

    /// <summary>True when control can reach the end of the catch's block, or it continues this loop.</summary>
    private static bool CanContinue(SemanticModel model, ICatchClauseOperation catchClause, ILoopOperation loop)
        => catchClause.Syntax is CatchClauseSyntax { Block: var block }
            && (Reaches(model.AnalyzeControlFlow(block)) || ContinuesLoop(catchClause.Handler, loop));

    private static bool CanContinue(SemanticModel model, ImmutableArray<IOperation> statements, ILoopOperation loop)
        => statements[0].Syntax is StatementSyntax first && statements[statements.Length - 1].Syntax is StatementSyntax last
            && (Reaches(model.AnalyzeControlFlow(first, last)) || statements.Any(s => ContinuesLoop(s, loop)));

    private static bool Reaches(ControlFlowAnalysis? flow) => flow is { Succeeded: true, EndPointIsReachable: true };

    private static bool ContinuesLoop(IOperation operation, ILoopOperation loop)
        => operation.OwnDescendants().Any(o => o is IBranchOperation { BranchKind: BranchKind.Continue } branch
            && SymbolEqualityComparer.Default.Equals(branch.Target, loop.ContinueLabel));

    /// <summary>A throw, a return, a goto or a break out of this loop: a failed attempt can end the retrying.</summary>
    private static bool CanLeave(IOperation operation, ILoopOperation loop)
        => operation.OwnDescendants().Any(o => o is IThrowOperation or IReturnOperation { Kind: OperationKind.Return }
            || (o is IBranchOperation branch
                && (branch.BranchKind == BranchKind.GoTo
                    || (branch.BranchKind == BranchKind.Break && SymbolEqualityComparer.Default.Equals(branch.Target, loop.ExitLabel)))));

    private static bool IsAlwaysTrue(IOperation? condition)
        => condition is null || condition.ConstantValue is { HasValue: true, Value: true };

    /// <summary>
    /// True when the filter only compares the counter with a limit (<c>when (attempt &lt; _options.MaxAttempts)</c>,
    /// <c>when (++attempt &lt;= maxRetries)</c>): the limit may be a field, a property or a parameter, but nothing in it
    /// looks at the exception or calls anything, so every exception is still retried.
    /// </summary>
    private static bool OnlyComparesCounter(ICatchClauseOperation catchClause, ILocalSymbol? counter)
        => counter is not null && catchClause.Filter is { } filter
            && Conjuncts(filter).All(part => part is IBinaryOperation
                {
                    OperatorKind: BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan
                        or BinaryOperatorKind.GreaterThanOrEqual or BinaryOperatorKind.NotEquals,
                } comparison
                && (IsCounterOperand(comparison.LeftOperand, counter) ? comparison.RightOperand : IsCounterOperand(comparison.RightOperand, counter) ? comparison.LeftOperand : null) is { } limit
                && !limit.DescendantsAndSelf().Any(o => o is IInvocationOperation or IIsTypeOperation or IIsPatternOperation
                    || (o is ILocalReferenceOperation local && catchClause.Locals.Contains(local.Local, SymbolEqualityComparer.Default))));

    private static bool IsCounterOperand(IOperation operand, ILocalSymbol counter)
        => operand.WalkDownConversion() switch
        {
            ILocalReferenceOperation local => SymbolEqualityComparer.Default.Equals(local.Local, counter),
            IIncrementOrDecrementOperation { Target: ILocalReferenceOperation local } => SymbolEqualityComparer.Default.Equals(local.Local, counter),
            _ => false,
        };

    /// <summary>True when the filter reads something besides the counter and constants (e.g. the exception).</summary>
    private static bool MentionsAnythingBut(IOperation filter, ILocalSymbol? counter)
        => filter.DescendantsAndSelf().Any(o => o switch
        {
            ILocalReferenceOperation local => !SymbolEqualityComparer.Default.Equals(local.Local, counter),
            IParameterReferenceOperation or IInstanceReferenceOperation or IInvocationOperation or IIsTypeOperation or IIsPatternOperation
                or IFieldReferenceOperation { Field.IsConst: false } or IPropertyReferenceOperation => true,
            _ => false,
        });

    private static bool UsedAsIndex(IOperation tryBody, ILocalSymbol counter)
        => tryBody.OwnDescendants().Any(o => o switch
        {
            IArrayElementReferenceOperation element => element.Indices.Any(i => References(i, counter)),
            IPropertyReferenceOperation { Property.IsIndexer: true } indexer => indexer.Arguments.Any(a => References(a, counter)),
            IInvocationOperation { TargetMethod.Name: "ElementAt" or "ElementAtOrDefault" } call => call.Arguments.Any(a => References(a, counter)),
            _ => false,
        });

    /// <summary>
    /// The local the loop counts attempts with: the for loop's own variable when its incrementor increments it, else the
    /// local incremented in the loop (in a statement outside the try, a catch filter or the loop condition).
    /// </summary>
    private static ILocalSymbol? FindCounter(
        ILoopOperation loop,
        IOperation? condition,
        ImmutableArray<IOperation> bottom,
        ImmutableArray<IOperation> beforeTry,
        ImmutableArray<ICatchClauseOperation> catches,
        ImmutableArray<IOperation> afterTry)
    {
        var candidates = new List<IOperation>();
        candidates.AddRange(bottom);
        if (condition is not null)
        {
            candidates.Add(condition);
        }

        foreach (var catchClause in catches)
        {
            if (catchClause.Filter is { } filter)
            {
                candidates.Add(filter);
            }

            candidates.AddRange(catchClause.Handler.Operations);
        }

        candidates.AddRange(beforeTry);
        candidates.AddRange(afterTry);

        foreach (var candidate in candidates)
        {
            foreach (var operation in candidate.DescendantsAndSelf())
            {
                if (IncrementedLocal(operation) is { } local
                    && (loop.Locals.Contains(local, SymbolEqualityComparer.Default) || !IsDeclaredInside(local, loop)))
                {
                    return local;
                }
            }
        }

        return null;
    }

    private static bool IsDeclaredInside(ILocalSymbol local, ILoopOperation loop)
        => local.DeclaringSyntaxReferences.Any(r => loop.Body.Syntax.Span.Contains(r.Span));

    /// <summary>The local that <paramref name="operation"/> adds one to: <c>a++</c>, <c>++a</c>, <c>a += 1</c>, <c>a = a + 1</c>.</summary>
    internal static ILocalSymbol? IncrementedLocal(IOperation operation)
        => operation switch
        {
            IIncrementOrDecrementOperation { Kind: OperationKind.Increment, Target: ILocalReferenceOperation target } => target.Local,
            ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add, Target: ILocalReferenceOperation target, Value: var value }
                when IsOne(value) => target.Local,
            ISimpleAssignmentOperation { Target: ILocalReferenceOperation target, Value: IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } sum }
                when sum.LeftOperand.WalkDownConversion() is ILocalReferenceOperation left
                    && SymbolEqualityComparer.Default.Equals(left.Local, target.Local)
                    && IsOne(sum.RightOperand) => target.Local,
            _ => null,
        };

    private static bool IsOne(IOperation value)
        => value.WalkDownConversion().ConstantValue is { HasValue: true, Value: int one } && one == 1;

    /// <summary>
    /// Walks one iteration's failure path in execution order — the loop condition (at the top), the statements before the
    /// try, the catch filter and block, the statements after the try, the for incrementors, the loop condition (at the
    /// bottom) — recording the counter's increments and limit checks, the delays and the statements that are neither.
    /// </summary>
    private sealed class CounterAnalysis(KnownTypes types, ILocalSymbol? counter, ILoopOperation loop)
    {
        private readonly List<Step> _steps = [];
        private bool _unknown;

        public List<IInvocationOperation> Delays { get; } = [];

        public List<RetryLimitCheck> Checks { get; } = [];

        public List<IOperation> Increments { get; } = [];

        public List<IOperation> Others { get; } = [];

        public List<RetryLogStatement> Logs { get; } = [];

        public void Run(
            RetryLoopKind kind,
            IOperation? condition,
            ImmutableArray<IOperation> bottom,
            ImmutableArray<IOperation> beforeTry,
            ImmutableArray<ICatchClauseOperation> catches,
            ImmutableArray<IOperation> afterTry)
        {
            // With more than one retrying catch, the order of events depends on which one ran: count only when there is one.
            _unknown = catches.Length != 1;
            if (kind != RetryLoopKind.DoWhile && condition is not null)
            {
                Expression(condition, RetryLimitSite.LoopCondition, isTopCondition: true);
            }

            foreach (var statement in beforeTry)
            {
                Statement(statement, inCatch: false, beforeTry: true);
            }

            foreach (var catchClause in catches)
            {
                if (catchClause.Filter is { } filter)
                {
                    Expression(filter, RetryLimitSite.CatchFilter, isTopCondition: false);
                }

                foreach (var statement in catchClause.Handler.Operations)
                {
                    Statement(statement, inCatch: true, beforeTry: false);
                }
            }

            foreach (var statement in afterTry)
            {
                Statement(statement, inCatch: false, beforeTry: false);
            }

            foreach (var increment in bottom)
            {
                if (counter is not null && IncrementedLocal(Unwrap(increment)) is { } local && SymbolEqualityComparer.Default.Equals(local, counter))
                {
                    AddIncrement(Unwrap(increment));
                }
                else if (counter is not null && References(increment, counter))
                {
                    _unknown = true;
                }
            }

            if (kind == RetryLoopKind.DoWhile && condition is not null)
            {
                Expression(condition, RetryLimitSite.LoopCondition, isTopCondition: false);
            }
        }

        /// <summary>
        /// The attempts the loop makes and what it does after the last one: the check that stops it first wins. The counter
        /// must start at a constant, change only by the recognized increments (one per iteration), and meet constant limits.
        /// </summary>
        public (int? Attempts, RetryExhaustion Exhaustion) Evaluate()
        {
            var increments = _steps.Count(s => s.Check is null);
            if (_unknown || counter is null || Checks.Count == 0 || increments != 1
                || InitialValue(loop, counter, increments) is not { } start)
            {
                return (null, RetryExhaustion.Unknown);
            }

            // Attempt k (1-based) starts with the counter at start + k - 1; a statement sees the increments before it too.
            foreach (var log in Logs)
            {
                log.CounterOffset = start - 1 + log.IncrementsBefore;
            }

            int? best = null;
            var exhaustion = RetryExhaustion.Unknown;
            var bestOrder = int.MaxValue;
            for (var index = 0; index < _steps.Count; index++)
            {
                var step = _steps[index];
                if (step.Check is null)
                {
                    continue;
                }

                if (step.Limit is not { } limit)
                {
                    return (null, RetryExhaustion.Unknown);
                }

                var before = _steps.Take(index).Count(s => s.Check is null);

                // A condition at the top decides about the next attempt, after this iteration's increments.
                var seen = step.IsTopCondition ? start + increments + before : start + before;
                if (step.IsTopCondition && start + before >= limit)
                {
                    return (null, RetryExhaustion.Unknown);
                }

                var attempts = limit - seen + 1;
                if (attempts < 1)
                {
                    return (null, RetryExhaustion.Unknown);
                }

                // The top condition is evaluated after the rest of the iteration, so it loses ties.
                var order = step.IsTopCondition ? int.MaxValue - 1 : index;
                var onLimit = step.Site switch
                {
                    RetryLimitSite.LoopCondition => RetryExhaustion.FallOut,
                    RetryLimitSite.CatchFilter => RetryExhaustion.Rethrow,
                    _ => step.Rethrows ? RetryExhaustion.Rethrow : RetryExhaustion.Throw,
                };
                step.Check.Attempts = attempts;
                step.Check.OnLimit = onLimit;
                if (best is null || attempts < best || (attempts == best && order < bestOrder))
                {
                    best = attempts;
                    bestOrder = order;
                    exhaustion = onLimit;
                }
            }

            return (best, exhaustion);
        }

        private static IOperation Unwrap(IOperation operation)
            => operation is IExpressionStatementOperation statement ? statement.Operation : operation;

        private void AddIncrement(IOperation increment)
        {
            Increments.Add(increment);
            _steps.Add(new Step(null, null, RetryLimitSite.LoopCondition, false, false));
        }

        private void Statement(IOperation statement, bool inCatch, bool beforeTry)
        {
            var expression = Unwrap(statement);
            if (DelayCalls.AsDelay(expression, types) is { } delay)
            {
                Delays.Add(delay);
                if (counter is not null && References(statement, counter) && IncrementsCounter(statement))
                {
                    _unknown = true;
                }

                return;
            }

            if (counter is not null && IncrementedLocal(expression) is { } local && SymbolEqualityComparer.Default.Equals(local, counter))
            {
                AddIncrement(expression);
                return;
            }

            // A continue of this loop only says out loud what the end of the catch does anyway.
            if (expression is IBranchOperation { BranchKind: BranchKind.Continue } next && SymbolEqualityComparer.Default.Equals(next.Target, loop.ContinueLabel))
            {
                return;
            }

            if (Logging.IsKnownLogStatement(expression, types))
            {
                Logs.Add(new RetryLogStatement(statement, runsAfterFailure: !beforeTry, _steps.Count(s => s.Check is null)));
                if (counter is not null && IncrementsCounter(statement))
                {
                    _unknown = true;
                }

                return;
            }

            // if (attempt >= max) throw;   if (attempt == 3) { throw new ...; }
            if (counter is not null && !beforeTry
                && statement is IConditionalOperation { WhenFalse: null } guard
                && SingleThrow(guard.WhenTrue) is { } thrown
                && AsComparison(guard.Condition) is { } comparison)
            {
                AddCheck(comparison, RetryLimitSite.GuardedThrow, negate: true, isTopCondition: false, rethrows: inCatch && thrown.Exception is null);
                return;
            }

            if (counter is not null && References(statement, counter) && IncrementsCounter(statement))
            {
                _unknown = true;
            }

            if (counter is not null && beforeTry && References(statement, counter))
            {
                _unknown = true;
            }

            Others.Add(statement);
        }

        private bool IncrementsCounter(IOperation operation)
            => operation.DescendantsAndSelf().Any(o => IncrementedLocal(o) is { } local && SymbolEqualityComparer.Default.Equals(local, counter));

        private static IThrowOperation? SingleThrow(IOperation operation)
        {
            if (operation is IBlockOperation { Operations.Length: 1 } block)
            {
                operation = block.Operations[0];
            }

            return Unwrap(operation) as IThrowOperation;
        }

        /// <summary>A loop condition or catch filter: its top-level <c>&amp;&amp;</c> parts, left to right.</summary>
        private void Expression(IOperation expression, RetryLimitSite site, bool isTopCondition)
        {
            if (counter is null)
            {
                return;
            }

            if (expression is IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } and)
            {
                Expression(and.LeftOperand, site, isTopCondition);
                Expression(and.RightOperand, site, isTopCondition);
                return;
            }

            if (AsComparison(expression) is { } comparison)
            {
                AddCheck(comparison, site, negate: false, isTopCondition, rethrows: site == RetryLimitSite.CatchFilter);
                return;
            }

            if (References(expression, counter))
            {
                _unknown = true;
            }

            foreach (var operation in expression.DescendantsAndSelf())
            {
                if (IncrementedLocal(operation) is { } local && SymbolEqualityComparer.Default.Equals(local, counter))
                {
                    _unknown = true;
                }
            }
        }

        /// <summary>A comparison with the counter on one side: <c>attempt &lt; 3</c>, <c>3 &gt; attempt</c>, <c>attempt++ &lt; max</c>.</summary>
        private IBinaryOperation? AsComparison(IOperation operation)
            => operation is IBinaryOperation
            {
                OperatorKind: BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan
                    or BinaryOperatorKind.GreaterThanOrEqual or BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals,
            } comparison
            && (IsCounter(comparison.LeftOperand) || IsCounter(comparison.RightOperand))
                ? comparison
                : null;

        private bool IsCounter(IOperation operand)
            => operand.WalkDownConversion() switch
            {
                ILocalReferenceOperation local => SymbolEqualityComparer.Default.Equals(local.Local, counter),
                IIncrementOrDecrementOperation { Kind: OperationKind.Increment, Target: ILocalReferenceOperation local } => SymbolEqualityComparer.Default.Equals(local.Local, counter),
                _ => false,
            };

        /// <summary>
        /// Records a check as "retry while the counter is below M". <paramref name="negate"/>: the comparison says when to
        /// stop (a guarded throw) rather than when to go on.
        /// </summary>
        private void AddCheck(IBinaryOperation comparison, RetryLimitSite site, bool negate, bool isTopCondition, bool rethrows)
        {
            var counterOnLeft = IsCounter(comparison.LeftOperand);
            var counterSide = (counterOnLeft ? comparison.LeftOperand : comparison.RightOperand).WalkDownConversion();
            var limitSide = counterOnLeft ? comparison.RightOperand : comparison.LeftOperand;
            int? limit = limitSide.WalkDownConversion().ConstantValue is { HasValue: true, Value: int value } ? value : null;
            var op = counterOnLeft ? comparison.OperatorKind : Flip(comparison.OperatorKind);

            // Normalize to "go on while counter < bound".
            int? bound = (op, negate) switch
            {
                (BinaryOperatorKind.LessThan, false) or (BinaryOperatorKind.GreaterThanOrEqual, true) => limit,
                (BinaryOperatorKind.LessThanOrEqual, false) or (BinaryOperatorKind.GreaterThan, true) => limit + 1,
                (BinaryOperatorKind.NotEquals, false) or (BinaryOperatorKind.Equals, true) => limit,
                _ => null,
            };
            if (limit is not null && bound is null)
            {
                _unknown = true;
            }

            var check = new RetryLimitCheck(comparison, site);
            Checks.Add(check);
            var step = new Step(check, bound, site, isTopCondition, rethrows);
            if (counterSide is IIncrementOrDecrementOperation increment)
            {
                if (increment.IsPostfix)
                {
                    _steps.Add(step);
                    AddIncrement(increment);
                }
                else
                {
                    AddIncrement(increment);
                    _steps.Add(step);
                }
            }
            else
            {
                _steps.Add(step);
            }

            if (References(limitSide, counter!))
            {
                _unknown = true;
            }
        }

        private static BinaryOperatorKind Flip(BinaryOperatorKind kind)
            => kind switch
            {
                BinaryOperatorKind.LessThan => BinaryOperatorKind.GreaterThan,
                BinaryOperatorKind.LessThanOrEqual => BinaryOperatorKind.GreaterThanOrEqual,
                BinaryOperatorKind.GreaterThan => BinaryOperatorKind.LessThan,
                BinaryOperatorKind.GreaterThanOrEqual => BinaryOperatorKind.LessThanOrEqual,
                _ => kind,
            };

        /// <summary>
        /// The counter's value before the loop: the constant it is declared with, provided nothing but the loop's own
        /// increments writes it afterwards.
        /// </summary>
        private static int? InitialValue(ILoopOperation loop, ILocalSymbol counter, int increments)
        {
            if (counter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is not VariableDeclaratorSyntax declarator
                || declarator.Initializer is null
                || loop.SemanticModel?.GetOperation(declarator.Initializer.Value) is not { } initializer
                || initializer.WalkDownConversion().ConstantValue is not { HasValue: true, Value: int start })
            {
                return null;
            }

            var writes = loop.Root().Descendants().Count(o =>
                o is ILocalReferenceOperation local
                && SymbolEqualityComparer.Default.Equals(local.Local, counter)
                && (o.Parent is IIncrementOrDecrementOperation or ICompoundAssignmentOperation
                    || (o.Parent is IAssignmentOperation assignment && assignment.Target == o)
                    || o.Parent is IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out }));

            // Outside the for statement, the declaration must come before the loop, so the loop starts from it.
            var declaredBeforeLoop = loop.Locals.Contains(counter, SymbolEqualityComparer.Default) || declarator.Span.End <= loop.Syntax.SpanStart;
            return writes == increments && declaredBeforeLoop ? start : null;
        }

        private readonly struct Step(RetryLimitCheck? check, int? limit, RetryLimitSite site, bool isTopCondition, bool rethrows)
        {
            public RetryLimitCheck? Check { get; } = check;

            public int? Limit { get; } = limit;

            public RetryLimitSite Site { get; } = site;

            public bool IsTopCondition { get; } = isTopCondition;

            public bool Rethrows { get; } = rethrows;
        }
    }
}
